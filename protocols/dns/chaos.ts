/**
 * Class CH (CHAOS) questions, answered as NSD answers them: `id.server.` and `hostname.bind.`
 * (RFC 4892) give the server's identity as one TXT record of TTL 0, without AA; `version.bind.`
 * and `version.server.` are refused with EDE 18 (Prohibited, RFC 8914 §4.19), as NSD with
 * `hide-version: yes` does, since a test server has no version worth telling; anything else in
 * class CH is refused with EDE 21 (Not Supported, RFC 8914 §4.22).
 * @module
 */
import os from 'node:os';
import { RCODE, type ZoneRecord } from './records.js';

export const CLASS_CH = 3;
export const EDE_PROHIBITED = 18;
export const EDE_NOT_SUPPORTED = 21;
const TYPE_TXT = 16;
const TYPE_ANY = 255;

export interface ChaosAnswer {
  readonly rcode: number;
  readonly answers: ZoneRecord[];
  readonly ede?: number | undefined;
}

/** The answer to a class CH question for `name` (a name key) and `type`. */
export function answerChaos(name: string, type: number, identity = os.hostname()): ChaosAnswer {
  if (type === TYPE_TXT || type === TYPE_ANY) {
    if (name === 'id.server' || name === 'hostname.bind')
      return { rcode: RCODE.NOERROR, answers: [{ name, ttl: 0, type: 'TXT', data: [Buffer.from(identity, 'utf8')] }] };
    if (name === 'version.server' || name === 'version.bind')
      return { rcode: RCODE.REFUSED, answers: [], ede: EDE_PROHIBITED };
  }
  return { rcode: RCODE.REFUSED, answers: [], ede: EDE_NOT_SUPPORTED };
}
