/**
 * The shared core: sockets, lifecycles, limits, TLS, the line reader, errors and the exchange log.
 * It knows no protocol verbs.
 * @module
 */
export * from './account.js';
export * from './errors.js';
export * from './exchange.js';
export * from './exchange-format.js';
export * from './limits.js';
export * from './line-reader.js';
export * from './mark.js';
export * from './net-util.js';
export * from './options.js';
export * from './port-range.js';
export * from './recorder.js';
export * from './service.js';
export * from './tcp-server.js';
export * from './tls.js';
export * from './tls-listener.js';
export * from './udp-server.js';
