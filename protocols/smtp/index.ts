/**
 * Public API of minisuite/smtp.
 * @module
 */
export { SmtpService } from './service.js';
