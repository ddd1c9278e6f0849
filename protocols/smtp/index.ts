/**
 * Public API of minisuite/smtp.
 * @module
 */

export type { SendOptions, SendResult } from './client.js';
export { DEFAULT_FROM, DEFAULT_SMTP_HOST, DEFAULT_SMTP_PORT, sendMail } from './client.js';
export * from './limits.js';
export type {
  AttachmentInfo,
  Envelope,
  MailStoreEvents,
  MailStoreOptions,
  MailSummary,
  StoredMail,
} from './mail-store.js';
export { MailDraft, MailStore } from './mail-store.js';
export { SMTP_DEFAULTS, SMTP_SERVICE_DEFAULTS, type SmtpServiceOptions } from './options.js';
export type { SmtpAccount, SmtpServerOptions } from './server.js';
export { SmtpServer } from './server.js';
export { SmtpService, WAIT_FOR_MESSAGE_MS } from './service.js';
