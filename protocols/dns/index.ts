/**
 * Public API of minisuite/dns.
 * @module
 */
export { DnsService } from './service.js';
