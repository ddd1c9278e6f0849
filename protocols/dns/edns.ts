/**
 * EDNS(0) negotiation (RFC 6891): the UDP payload size an answer may use, and our OPT record.
 * @module
 */
import type { Edns } from './query.js';

/** The classic UDP limit without EDNS (RFC 1035 §4.2.1); also the floor with it (RFC 6891 §6.2.5). */
export const CLASSIC_UDP_PAYLOAD = 512;
/** Our advertised UDP payload: 1232 avoids IP fragmentation on common paths (DNS Flag Day 2020). */
export const MAX_UDP_PAYLOAD = 1232;

/** Bytes a UDP answer may take: 512 without EDNS, else min(client's, ours) but at least 512. */
export function udpPayloadLimit(edns: Edns | undefined, ours = MAX_UDP_PAYLOAD): number {
  if (!edns) return CLASSIC_UDP_PAYLOAD;
  return Math.max(CLASSIC_UDP_PAYLOAD, Math.min(edns.udpSize, ours));
}

/** Our OPT for the answer when the query had one; unknown options (COOKIE...) are ignored (RFC 6891 §6.1.2). */
export function answerOpt(
  edns: Edns | undefined,
  ours = MAX_UDP_PAYLOAD,
): { udpSize: number; dnssecOk: boolean } | undefined {
  // RFC 3225 §3: the DO bit of the query is copied into the answer's OPT.
  return edns ? { udpSize: Math.max(CLASSIC_UDP_PAYLOAD, ours), dnssecOk: edns.dnssecOk } : undefined;
}
