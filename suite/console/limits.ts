/**
 * Named limits of the console's API.
 * @module
 */
/** Server-Sent Events: a comment line this often keeps proxies and idle timers from closing the stream. */
export const SSE_KEEP_ALIVE_MS = 15_000;
/** Server-Sent Events: a client that lets this much pile up unread is disconnected (memory bound). */
export const SSE_MAX_BUFFERED_BYTES = 1024 * 1024;
/** Most records `GET /api/exchanges` returns when no `limit` is given. */
export const DEFAULT_EXCHANGE_LIMIT = 100;
