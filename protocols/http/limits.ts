/**
 * Named limits of the HTTP server. Each one is also an {@link HttpServerOptions} field.
 * @module
 */

/**
 * Largest request head (request line + header fields). Node's default; over it the parser answers
 * 431 Request Header Fields Too Large (RFC 6585 §5).
 */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Largest request body any route accepts; over it: 413 Content Too Large (RFC 9110 §15.5.14). */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/**
 * Request bodies in flight at once, all clients together (the bytes routes may be buffering).
 * Over it a request with a body is answered 503 at once instead of growing memory.
 */
export const MAX_BODY_BYTES_IN_FLIGHT = 64 * 1024 * 1024;
/** Request bodies in flight at once for one client address: one client cannot spend the whole budget. */
export const MAX_BODY_BYTES_IN_FLIGHT_PER_ADDRESS = 24 * 1024 * 1024;
/** A client must send a complete request head within this time or get 408 and be closed (slowloris guard). */
export const HEADERS_TIMEOUT_MS = 10_000;
/** A client must send its whole request (head and body) within this time or get 408 and be closed. */
export const REQUEST_TIMEOUT_MS = 60_000;
/** An idle keep-alive connection is closed after this long (Node's default). */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** How often the head/request timeouts above are checked. */
export const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/** HTTP/2 streams a client may have open at once on the HTTPS port (RFC 9113 §6.5.2 recommends at least 100). */
export const H2_MAX_CONCURRENT_STREAMS = 100;
/** Longest `/delay/:ms`. */
export const MAX_DELAY_MS = 10_000;
/** Largest `/bytes/:n`. */
export const MAX_RANDOM_BYTES = 10 * 1024 * 1024;
/**
 * Request targets longer than this are not remembered by the per-path memos (request lines,
 * router dispatch, checked file paths). Each memo holds at most 1,024 entries, so this bounds
 * what a client sending ever-new long paths can make them keep.
 */
export const MAX_REMEMBERED_PATH = 512;
