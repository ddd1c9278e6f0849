/**
 * Public API of minisuite/ftp.
 * @module
 */
export { FtpService } from './service.js';
