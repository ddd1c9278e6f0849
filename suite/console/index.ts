/**
 * The suite's web console and API, mounted on the HTTP server's router.
 * @module
 */

export { eventFrame } from './api-exchanges.js';
export { Console, type ConsoleOptions, mountConsole } from './console.js';
export { ExchangeMetrics } from './health-metrics.js';
export { DEFAULT_EXCHANGE_LIMIT, SSE_KEEP_ALIVE_MS, SSE_MAX_BUFFERED_BYTES } from './limits.js';
