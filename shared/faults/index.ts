/**
 * Fault injection, protocol-agnostic: rules (validation, one-line syntax), target globs, seeded
 * schedules, the engine, TCP toxics and the connection gate. Protocols apply actions themselves.
 * @module
 */
export * from './connection-gate.js';
export * from './engine.js';
export * from './glob.js';
export * from './random.js';
export * from './rule.js';
export * from './schedule.js';
export * from './syntax.js';
export * from './toxic-socket.js';
