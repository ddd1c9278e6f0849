/**
 * minisuite: small but real HTTP, FTP, SMTP and DNS servers and clients on one shared core.
 * @module
 */

export * as dns from './protocols/dns/index.js';
export * as ftp from './protocols/ftp/index.js';
export * as http from './protocols/http/index.js';
export * as smtp from './protocols/smtp/index.js';
export * from './shared/index.js';
export { DEFAULT_CONFIG, resolveConfig, type SuiteConfig } from './suite/config.js';
export type { LimitInput, Limits } from './suite/limit-settings.js';
export { Running, startServices } from './suite/runner.js';
export { Suite, type SuiteOptions, startSuite, type WaitOptions } from './suite/start-suite.js';
