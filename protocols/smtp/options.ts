/**
 * Options of the SMTP server and of the service that runs it, with their defaults. Every limit is
 * a named constant (`limits.ts`) and an option.
 * @module
 */

import type { Account } from '../../shared/account.js';
import type { ExchangeLog } from '../../shared/exchange.js';
import type { FaultEngine } from '../../shared/faults/engine.js';
import { MAX_CONNECTIONS_PER_ADDRESS } from '../../shared/limits.js';
import type { TlsMaterial } from '../../shared/tls.js';
import {
  MAX_COMMAND_LINE_LENGTH,
  MAX_MESSAGE_BYTES,
  MAX_RECIPIENTS,
  MAX_SMTP_CONNECTIONS,
  MAX_STORED_MESSAGES,
  SMTP_COMMAND_DEADLINE_MS,
  SMTP_IDLE_TIMEOUT_MS,
} from './limits.js';
import type { MailStore } from './mail-store.js';

/** An SMTP login (the one account type of `shared/`). */
export type SmtpAccount = Account;

export interface SmtpServerOptions {
  /** Where accepted messages go (required). */
  readonly store: MailStore;
  /** Exchange records go here; default none. */
  readonly log?: ExchangeLog;
  /** Fault rules (faults.ts says what they can do to SMTP); default none. */
  readonly faults?: FaultEngine | undefined;
  /** Listen address; default 127.0.0.1. */
  readonly host?: string;
  /** Port; default 0 (a free one). */
  readonly port?: number;
  /** Name in the greeting and EHLO reply; default the machine's host name. */
  readonly name?: string;
  /** Accounts; when any is given AUTH PLAIN/LOGIN is offered and required to send. Default none. */
  readonly users?: readonly SmtpAccount[];
  /** Certificate for STARTTLS and implicit TLS on {@link smtpsPort}; default none (neither offered). */
  readonly tls?: TlsMaterial;
  /** Port of implicit TLS (SMTPS, RFC 8314 §3.3) with `tls`; default 0 (a free one). */
  readonly smtpsPort?: number;
  /** Largest message in bytes (EHLO SIZE); default {@link MAX_MESSAGE_BYTES}. */
  readonly maxMessageBytes?: number;
  /** Longest command line in bytes; default {@link MAX_COMMAND_LINE_LENGTH}. */
  readonly maxLineLength?: number;
  /** Recipients per message; default {@link MAX_RECIPIENTS}. */
  readonly maxRecipients?: number;
  /** Simultaneous sessions; default {@link MAX_SMTP_CONNECTIONS}. At it an idle one is closed to make room. */
  readonly maxConnections?: number;
  /** Sessions one client address may hold; default {@link MAX_CONNECTIONS_PER_ADDRESS}. */
  readonly maxConnectionsPerAddress?: number;
  /** Idle time before `421` and close; default {@link SMTP_IDLE_TIMEOUT_MS}. 0 disables. */
  readonly idleTimeoutMs?: number;
  /** Deadline for one command line from its first byte, then `421` and close; default {@link SMTP_COMMAND_DEADLINE_MS}. 0 disables. */
  readonly commandDeadlineMs?: number;
}

/** The defaults of {@link SmtpServerOptions} (the store, log, name and TLS have none). */
export const SMTP_DEFAULTS: Required<Omit<SmtpServerOptions, 'store' | 'log' | 'name' | 'tls' | 'faults'>> =
  Object.freeze({
    host: '127.0.0.1',
    port: 0,
    smtpsPort: 0,
    users: [],
    maxMessageBytes: MAX_MESSAGE_BYTES,
    maxLineLength: MAX_COMMAND_LINE_LENGTH,
    maxRecipients: MAX_RECIPIENTS,
    maxConnections: MAX_SMTP_CONNECTIONS,
    maxConnectionsPerAddress: MAX_CONNECTIONS_PER_ADDRESS,
    idleTimeoutMs: SMTP_IDLE_TIMEOUT_MS,
    commandDeadlineMs: SMTP_COMMAND_DEADLINE_MS,
  });

/**
 * What {@link SmtpService} takes: the server's options without those the runner provides (the
 * store lives in `DATA/mail`; host, log and TLS come from the service context).
 */
export interface SmtpServiceOptions extends Omit<SmtpServerOptions, 'store' | 'log' | 'host' | 'tls' | 'faults'> {
  /** Messages the store keeps; past it the oldest are removed first. Default {@link MAX_STORED_MESSAGES}. */
  readonly maxMessages?: number;
}

/** The defaults of what {@link SmtpServiceOptions} adds to the server's. */
export const SMTP_SERVICE_DEFAULTS = Object.freeze({ maxMessages: MAX_STORED_MESSAGES });
