/**
 * Public API of minisuite/ftp.
 * @module
 */

export { FtpClient, type FtpClientOptions, type FtpUrl, parseFtpUrl } from './client.js';
export type { EntryInfo } from './list-format.js';
export { FTP_DEFAULTS, type FtpServerOptions, type FtpServiceOptions } from './options.js';
export { FtpServer } from './server.js';
export { FtpService } from './service.js';
