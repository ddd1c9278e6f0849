/**
 * Replies written straight to a socket, where node has no response object: before any request
 * is read (connection limits), for a head its parser refused, and for CONNECT. Each is a JSON
 * error (SPEC.md) and closes the connection.
 * @module
 */
import { reasonPhrase } from './replies.js';
import { parseErrorStatus } from './request-checks.js';

/** Node parser error codes → the status a client is told (others: 400). */
const CLIENT_ERROR_STATUS: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/** A whole response: `{"error": message}` with `status`, then the connection closes. */
export function rawErrorReply(status: number, message: string, extra = ''): string {
  const body = JSON.stringify({ error: message });
  return (
    `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`
  );
}

/** RFC 9110 §15.6.4: 503 with Retry-After, written before any request is read. */
function unavailable(error: string): string {
  return rawErrorReply(503, error, 'Retry-After: 1\r\n');
}
export const FULL_REPLY = unavailable('too many connections, try again later');
export const ADDRESS_FULL_REPLY = unavailable('too many connections from your address, try again later');

/**
 * What to tell a client whose head node's parser refused with `code` (`head`: the bytes it was
 * given, latin1): {@link parseErrorStatus}'s precise answer, else the status of the code.
 */
export function parseErrorReply(
  code: string,
  message: string,
  head: string,
  maxHeadBytes: number,
): { readonly status: number; readonly message: string } {
  const precise = parseErrorStatus(code, head, maxHeadBytes);
  if (precise) return precise;
  const status = CLIENT_ERROR_STATUS[code] ?? 400;
  return { status, message: status === 400 ? `bad request (${code || message})` : reasonPhrase(status) };
}
