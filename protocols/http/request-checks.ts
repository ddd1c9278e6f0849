/**
 * Checks on a parsed request head that node's parser lets through, answered before any route:
 * - more than one `Host` field: 400 (RFC 9112 §3.2; node keeps the first and drops the rest,
 *   so two parties could disagree on which host was meant);
 * - a `Transfer-Encoding` with a coding other than `chunked`: 501 (RFC 9112 §6.1: a server that
 *   does not understand a transfer coding SHOULD answer 501), and the connection is closed, as
 *   the body's framing is unknown.
 * Pure functions on `rawHeaders` (name, value, name, value...).
 * @module
 */

/** What to answer instead of routing the request. */
export interface HeadRefusal {
  readonly status: 400 | 501;
  readonly message: string;
}

/** The codings of a `Transfer-Encoding` value, lower-case, without parameters ("gzip;q=1" → "gzip"). */
export function transferCodings(value: string): string[] {
  return value
    .split(',')
    .map((c) => (c.split(';', 1)[0] ?? '').trim().toLowerCase())
    .filter((c) => c !== '');
}

/** Checks a request's raw header list; undefined when it may be routed. */
export function checkRequestHead(rawHeaders: readonly string[]): HeadRefusal | undefined {
  let hosts = 0;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    // Only two names matter here: skip the others by length before lower-casing.
    if (name.length === 4 && name.toLowerCase() === 'host') {
      if (++hosts > 1) return { status: 400, message: 'more than one Host header field (RFC 9112 §3.2)' };
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      const unknown = transferCodings(rawHeaders[i + 1] as string).find((c) => c !== 'chunked');
      if (unknown !== undefined)
        return { status: 501, message: `transfer coding "${unknown}" is not implemented (RFC 9112 §6.1)` };
    }
  }
  return undefined;
}

/**
 * For a head node's parser refused as HPE_INVALID_TRANSFER_ENCODING: 501 when it names a
 * coding other than `chunked` (RFC 9112 §6.1), else undefined (a malformed use of chunked: 400).
 */
export function unknownCodingInRawHead(head: string): string | undefined {
  for (const line of head.split(/\r?\n/)) {
    const m = /^transfer-encoding\s*:(.*)$/i.exec(line);
    if (!m) continue;
    const unknown = transferCodings(m[1] ?? '').find((c) => c !== 'chunked');
    if (unknown !== undefined) return unknown;
  }
  return undefined;
}
