/**
 * Named bounds of the httpbin routes, each also an {@link HttpbinOptions} field, so no request can
 * make the server produce without end, wait without end, or loop.
 * @module
 */

/** Most hops `/redirect/:n`, `/relative-redirect/:n` and `/absolute-redirect/:n` chain. */
export const MAX_REDIRECTS = 100;
/** Most JSON lines of `/stream/:n` (httpbin's own cap). */
export const MAX_STREAM_LINES = 100;
/** Most links on a `/links/:n` page (httpbin's own cap). */
export const MAX_LINKS = 200;
/** Largest `/range/:n` resource (httpbin's own bound: 100 KiB). */
export const MAX_RANGE_BYTES = 100 * 1024;
/** Most events of one `/sse` stream. */
export const MAX_SSE_EVENTS = 1_000;
/** Most writes one `/drip` spreads its bytes over (each a timer; the bytes are split evenly). */
export const MAX_DRIP_TICKS = 1_000;
/** Most choices in a weighted `/status/200:0.9,500:0.1` list. */
export const MAX_STATUS_CHOICES = 32;
