/**
 * Fitting an answer into the transport's size limit (RFC 1035 §4.2.1, RFC 2181 §9, RFC 9471):
 * the rules live in the encoder (response.ts), which fits while it writes.
 * @module
 */
import { encodeResponse, type Fitted, type ResponseSpec } from './response.js';

/** Largest DNS message over TCP: the 2-byte length prefix (RFC 1035 §4.2.2). */
export const MAX_TCP_MESSAGE = 65_535;

export type { Fitted };

/** The encoded answer, fitted to `limit` bytes; `udp` applies UDP's rules for additional data. */
export function fitResponse(spec: ResponseSpec, limit: number, udp = limit < MAX_TCP_MESSAGE): Fitted {
  return encodeResponse(spec, { limit, udp });
}
