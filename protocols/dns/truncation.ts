/**
 * Fitting an answer into a size limit (RFC 1035 §4.2.1, RFC 2181 §9): encode, measure, trim.
 * Additional data is optional and goes first, without TC. When the answer or authority data does
 * not fit, whole RRsets from the start of the answer section are kept and TC is set, so the
 * client retries over TCP (RFC 7766 §5).
 * @module
 */
import type { ZoneRecord } from './records.js';
import { encodeResponse, type ResponseSpec } from './response.js';

/** Largest DNS message over TCP: the 2-byte length prefix (RFC 1035 §4.2.2). */
export const MAX_TCP_MESSAGE = 65_535;

/** Ends (exclusive) of each RRset in a section, in order. */
function rrsetEnds(records: readonly ZoneRecord[]): number[] {
  const ends: number[] = [];
  for (let i = 1; i <= records.length; i++) {
    const a = records[i - 1] as ZoneRecord;
    const b = records[i];
    if (!b || b.name !== a.name || b.type !== a.type) ends.push(i);
  }
  return ends;
}

export interface Fitted {
  readonly message: Buffer;
  readonly truncated: boolean;
  /** Answer records that made it. */
  readonly answers: number;
}

/** The encoded answer, trimmed to `limit` bytes. */
export function fitResponse(spec: ResponseSpec, limit: number): Fitted {
  const full = encodeResponse(spec);
  if (full.length <= limit) return { message: full, truncated: false, answers: spec.answers.length };
  const noExtra = { ...spec, additionals: [] };
  const lean = encodeResponse(noExtra);
  if (lean.length <= limit) return { message: lean, truncated: false, answers: spec.answers.length };
  const ends = rrsetEnds(spec.answers);
  for (let k = ends.length - 1; k >= 0; k--) {
    const answers = spec.answers.slice(0, ends[k]);
    const message = encodeResponse({ ...noExtra, tc: true, answers, authorities: [] });
    if (message.length <= limit) return { message, truncated: true, answers: answers.length };
  }
  return {
    message: encodeResponse({ ...noExtra, tc: true, answers: [], authorities: [] }),
    truncated: true,
    answers: 0,
  };
}
