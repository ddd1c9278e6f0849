/**
 * Zone transfer, AXFR over TCP (RFC 5936): the SOA, every other record of the zone (glue and
 * DNSSEC data included), the SOA again, over as many messages as it takes (§2.2). Off by
 * default; allowed for the peer addresses given, or for a request signed with one of our TSIG
 * keys (then every message is signed, RFC 8945 §5.3.1). IXFR is answered the same way, with
 * the whole zone (RFC 1995 §4 allows it). Over UDP a transfer is refused (RFC 5936 §4.2).
 * @module
 */
import { findZone } from './authority.js';
import type { ParsedQuery, WireQuestion } from './query.js';
import { codeOf, RCODE, rcodeName, T, type ZoneRecord } from './records.js';
import { encodeResponse, type ResponseSpec } from './response.js';
import {
  readTsig,
  signAnswer,
  signContinuation,
  signFirst,
  type TsigKey,
  type TsigRecord,
  verifyRequest,
} from './tsig.js';
import { readRecords } from './wire-records.js';
import type { Zone } from './zone.js';

/** Bytes of records per transfer message: well under the 64 KiB a TCP message may hold. */
export const AXFR_MESSAGE_BYTES = 16_384;
/** RFC 8914 §4.19: Extended DNS Error 18, Prohibited. */
export const EDE_PROHIBITED = 18;

export interface TransferPolicy {
  /** Peer addresses allowed to transfer ("127.0.0.1", "::1"); default none. */
  readonly allowTransfer?: readonly string[];
  /** Keys whose signed requests may transfer. */
  readonly keys?: readonly TsigKey[];
}

export interface TransferOutcome {
  readonly messages: Buffer[];
  readonly response: string;
  readonly ok: boolean;
  readonly rcode: string;
  readonly records: number;
}

/** The peer's address without the port ("127.0.0.1:5353" → "127.0.0.1", "[::1]:53" → "::1"). */
function addressOf(peer: string): string {
  const m = /^\[(.*)\]:\d+$/.exec(peer) ?? /^(.*):\d+$/.exec(peer);
  const address = m ? (m[1] as string) : peer;
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** Every record in transfer order: SOA first, then each node's RRsets, SOA last. */
function transferRecords(zone: Zone): ZoneRecord[] {
  const soa = zone.soa;
  const rest = zone.records().filter((r) => codeOf(r) !== T.SOA);
  return [soa, ...rest, soa];
}

function estimate(r: ZoneRecord): number {
  // Owner, fixed fields and RDATA; compression makes the real size smaller.
  return r.name.length + 2 + 10 + 300;
}

/** Answers an AXFR or IXFR query received over TCP from `peer`. */
export function transfer(
  input: Buffer,
  parsed: Extract<ParsedQuery, { kind: 'query' }>,
  zones: readonly Zone[],
  policy: TransferPolicy,
  peer: string,
  opt?: ResponseSpec['opt'],
): TransferOutcome {
  const q: WireQuestion = parsed.question;
  const single = (rcode: number, text: string, tsig?: TsigRecord, key?: TsigKey, error = 0): TransferOutcome => {
    // NSD's refusals carry an OPT when the query had one, with EDE 18 (Prohibited, RFC 8914 §4.19) for REFUSED.
    let message = encodeResponse({
      id: parsed.id,
      queryFlags: parsed.flags,
      rcode,
      aa: false,
      question: q,
      answers: [],
      authorities: [],
      additionals: [],
      opt: opt && rcode === RCODE.REFUSED ? { ...opt, ede: EDE_PROHIBITED } : opt,
    }).message;
    if (tsig) message = signAnswer(message, tsig, key, error);
    return {
      messages: [message],
      response: `${rcodeName(rcode)}: ${text}`,
      ok: false,
      rcode: rcodeName(rcode),
      records: 0,
    };
  };
  let tsig: TsigRecord | undefined;
  let key: TsigKey | undefined;
  try {
    const arcount = input.readUInt16BE(10);
    const additional = readRecords(
      input,
      12 + q.raw.length,
      input.readUInt16BE(6) + input.readUInt16BE(8) + arcount,
    ).records.slice(-arcount || input.length);
    const last = additional.at(-1);
    if (arcount > 0 && last?.type === T.TSIG) tsig = readTsig(input, last);
  } catch {
    return single(RCODE.FORMERR, 'malformed transfer request');
  }
  if (tsig) {
    const check = verifyRequest(input, tsig, policy.keys ?? []);
    if (!check.ok) return single(RCODE.NOTAUTH, `TSIG: ${check.reason}`, tsig, check.key, check.error);
    key = check.key;
  }
  // As NSD: a name that is no zone's apex is NOTAUTH before any access check.
  const zone = findZone(zones, q.name);
  if (!zone || zone.origin !== q.name) return single(RCODE.NOTAUTH, `not authoritative for ${q.display}`);
  if (!tsig && !(policy.allowTransfer ?? []).includes(addressOf(peer)))
    return single(RCODE.REFUSED, `transfers from ${addressOf(peer)} are not allowed (--dns-allow-transfer)`);
  const records = transferRecords(zone);
  const chunks: ZoneRecord[][] = [];
  let current: ZoneRecord[] = [];
  let size = 0;
  for (const r of records) {
    if (current.length > 0 && size + estimate(r) > AXFR_MESSAGE_BYTES) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(r);
    size += estimate(r);
  }
  chunks.push(current);
  const messages: Buffer[] = [];
  let mac: Buffer | undefined;
  chunks.forEach((answers, i) => {
    // RFC 5936 §2.2.1: the question in the first message only.
    let message = encodeResponse({
      id: parsed.id,
      queryFlags: parsed.flags,
      rcode: RCODE.NOERROR,
      aa: true,
      question: i === 0 ? q : undefined,
      answers,
      authorities: [],
      additionals: [],
    }).message;
    if (tsig && key) {
      const signed = mac === undefined ? signFirst(message, tsig, key) : signContinuation(message, mac, tsig, key);
      message = signed.message;
      mac = signed.mac;
    }
    messages.push(message);
  });
  return {
    messages,
    response: `NOERROR ${records.length} records in ${messages.length} message${messages.length === 1 ? '' : 's'}, serial ${zone.soa.data.serial}`,
    ok: true,
    rcode: 'NOERROR',
    records: records.length,
  };
}
