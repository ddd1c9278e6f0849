/**
 * Checks on a parsed request head that node's parser lets through, answered before any route:
 * - an HTTP/1.1 request without `Host`, more than one `Host` field, or a `Host` that is no
 *   `uri-host [":" port]`: 400 (RFC 9112 §3.2; node keeps the first of several and drops the
 *   rest, so two parties could disagree on which host was meant);
 * - a `Transfer-Encoding` with a coding other than `chunked`: 501 (RFC 9112 §6.1: a server that
 *   does not understand a transfer coding SHOULD answer 501), and the connection is closed, as
 *   the body's framing is unknown.
 * Pure functions on `rawHeaders` (name, value, name, value...).
 * @module
 */

/** What to answer instead of routing the request. */
export interface HeadRefusal {
  readonly status: 400 | 414 | 501 | 505;
  readonly message: string;
}

/**
 * RFC 3986 §3.2.2 host (an IP literal in brackets, or a reg-name / IPv4 address of unreserved,
 * sub-delims and percent-encoded characters), then an optional `:port` of digits. Not empty: an
 * `http` URI has a host (RFC 9110 §4.2.1), so Host names one.
 */
const HOST_VALUE = /^(?:\[[0-9A-Za-z:.]+\]|(?:[-\w.~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+)(?::\d*)?$/;

/** The codings of a `Transfer-Encoding` value, lower-case, without parameters ("gzip;q=1" → "gzip"). */
export function transferCodings(value: string): string[] {
  return value
    .split(',')
    .map((c) => (c.split(';', 1)[0] ?? '').trim().toLowerCase())
    .filter((c) => c !== '');
}

/**
 * Checks a request's raw header list; undefined when it may be routed. `needsHost`: an HTTP/1.1
 * request, which must name its host (HTTP/1.0 may leave it out; HTTP/2 says `:authority`).
 */
export function checkRequestHead(rawHeaders: readonly string[], needsHost = false): HeadRefusal | undefined {
  let hosts = 0;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    // Only two names matter here: skip the others by length before lower-casing.
    if (name.length === 4 && name.toLowerCase() === 'host') {
      if (++hosts > 1) return { status: 400, message: 'more than one Host header field (RFC 9112 §3.2)' };
      if (!HOST_VALUE.test(rawHeaders[i + 1] as string))
        return { status: 400, message: 'Host is not a host name with an optional port (RFC 9112 §3.2)' };
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      const unknown = transferCodings(rawHeaders[i + 1] as string).find((c) => c !== 'chunked');
      if (unknown !== undefined)
        return { status: 501, message: `transfer coding "${unknown}" is not implemented (RFC 9112 §6.1)` };
    }
  }
  if (needsHost && hosts === 0) return { status: 400, message: 'an HTTP/1.1 request needs a Host (RFC 9112 §3.2)' };
  return undefined;
}

/** {@link checkRequestHead} for a request node's HTTP/1 parser took, its version checked first. */
export function checkHead(req: {
  readonly rawHeaders: readonly string[];
  readonly httpVersionMajor: number;
  readonly httpVersionMinor: number;
}): HeadRefusal | undefined {
  return checkVersion(req.httpVersionMajor) ?? checkRequestHead(req.rawHeaders, req.httpVersionMinor >= 1);
}

/**
 * For a request node's HTTP/1 parser took, whose request line says another major version:
 * 505 (RFC 9110 §15.6.6). Node's parser reads "HTTP/2.0" as well; HTTP/2 itself only comes
 * through ALPN (RFC 9113 §3.2: no upgrade from a plain request line).
 */
export function checkVersion(major: number): HeadRefusal | undefined {
  return major === 1
    ? undefined
    : { status: 505, message: `HTTP/${major} is not supported in an HTTP/1.1 request line (RFC 9110 §15.6.6)` };
}

/** `method SP request-target SP HTTP/d.d` (RFC 9112 §3), any token as the method. */
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) [^\s]+ HTTP\/(\d)\.(\d)\r?$/;
/** A request line's start: a method token and a space. */
const REQUEST_LINE_START = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+ /;

/**
 * The status for a head node's parser refused (`code` its HPE_ code, `head` the bytes it was
 * given, latin1; `maxHeadBytes` its limit) when a more precise one than its generic 400 applies:
 * - a well-formed request line whose method node does not know (its parser knows a fixed list):
 *   501, as for any method the server does not implement (RFC 9110 §9.1, §15.6.2);
 * - a well-formed request line of another major version: 505 (RFC 9110 §15.6.6);
 * - a head over the size limit while still in its request line: 414 (RFC 9112 §3: a target
 *   longer than the server will parse); in a header field it stays 431;
 * - a transfer coding other than `chunked`: 501 (RFC 9112 §6.1); a misuse of chunked stays 400.
 */
export function parseErrorStatus(code: string, head: string, maxHeadBytes: number): HeadRefusal | undefined {
  const newline = head.indexOf('\n');
  const firstLine = newline < 0 ? head : head.slice(0, newline);
  if (code === 'HPE_INVALID_METHOD' || code === 'HPE_INVALID_VERSION') {
    const line = REQUEST_LINE.exec(firstLine);
    if (!line) return undefined;
    if (line[2] !== '1') return checkVersion(Number(line[2]));
    if (code === 'HPE_INVALID_METHOD')
      return { status: 501, message: `method ${line[1]} is not implemented (RFC 9110 §9.1)` };
    return undefined;
  }
  // `head` is the chunk the parser was given: it starts with the request line unless that line
  // came in several chunks, and then a chunk without a line end is still inside it.
  const inRequestLine = firstLine.length >= maxHeadBytes || (newline < 0 && REQUEST_LINE_START.test(head));
  if (code === 'HPE_HEADER_OVERFLOW' && inRequestLine)
    return { status: 414, message: 'request target too long (RFC 9112 §3)' };
  if (code === 'HPE_INVALID_TRANSFER_ENCODING') {
    const unknown = unknownCodingInRawHead(head);
    if (unknown !== undefined)
      return { status: 501, message: `transfer coding "${unknown}" is not implemented (RFC 9112 §6.1)` };
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
