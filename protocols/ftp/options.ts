/**
 * Options of the FTP server: every limit is a named constant and an option.
 * @module
 */

import type { ExchangeLog } from '../../shared/exchange.js';
import type { FaultEngine } from '../../shared/faults/engine.js';
import {
  CLOSE_GRACE_MS,
  IDLE_TIMEOUT_MS,
  MAX_CONNECTIONS,
  MAX_CONNECTIONS_PER_ADDRESS,
  MAX_LINE_LENGTH,
} from '../../shared/limits.js';
import type { PortRange } from '../../shared/port-range.js';
import type { TlsMaterial } from '../../shared/tls.js';
import type { FtpAccount } from './accounts.js';
import { DATA_CONNECT_TIMEOUT_MS } from './data-channel.js';
import { LOGIN_FAILURE_WINDOW_MS, MAX_LOGIN_FAILURES_PER_ADDRESS } from './login-throttle.js';

/** Consecutive bad commands (unknown, bad syntax) before the server says 421 and hangs up. */
export const MAX_BAD_COMMANDS = 20;
/** Failed logins on one connection before 421 and close (RFC 2577 §5). */
export const MAX_LOGIN_FAILURES = 5;
/** Delay before answering a failed PASS, multiplied by the failures so far (RFC 2577 §5). */
export const LOGIN_FAILURE_DELAY_MS = 500;

export interface FtpServerOptions {
  /** The folder served as `/`; created if missing. Required. */
  readonly root: string;
  /** Listen address; default 127.0.0.1. */
  readonly host?: string;
  /** Control port; default 0 (any free port). */
  readonly port?: number;
  /**
   * Accounts; default none. Each has pyftpdlib's permission letters (default all, `elradfmwMT`)
   * and a home folder under the root that is its `/` (default the root; created on start).
   */
  readonly users?: readonly FtpAccount[];
  /** Anonymous read-only login (`anonymous`/`ftp`, any password); default true. */
  readonly anonymous?: boolean;
  /** Passive data ports; default undefined = any free port. Ports in use are skipped. */
  readonly pasvPorts?: PortRange;
  /** Address advertised in the 227 reply (NAT, containers); default the control connection's local address. */
  readonly pasvAddress?: string;
  /** Certificate and key: enables AUTH TLS, PBSZ, PROT (RFC 4217) and implicit FTPS on {@link ftpsPort}; default undefined (no TLS). */
  readonly tls?: TlsMaterial;
  /** Port of implicit FTPS (TLS from the first byte, the 990-style port) with `tls`; default 0 (a free one). */
  readonly ftpsPort?: number;
  /**
   * Refuse (522) a protected data connection that does not resume the control connection's TLS
   * session, as vsftpd's `require_ssl_reuse` does: it proves the data connection comes from the
   * client that logged in. FileZilla, lftp and curl resume; Python's ftplib does not. Default false.
   */
  readonly requireTlsSessionReuse?: boolean;
  /** Where exchange records go; default none. */
  readonly log?: ExchangeLog;
  /** Simultaneous control connections; default {@link MAX_CONNECTIONS}. At it an idle one is closed to make room. */
  readonly maxConnections?: number;
  /** Control connections one client address may hold; default {@link MAX_CONNECTIONS_PER_ADDRESS}. */
  readonly maxConnectionsPerAddress?: number;
  /** Idle control connection timeout (not counted during transfers); default {@link IDLE_TIMEOUT_MS}. */
  readonly idleTimeoutMs?: number;
  /** Longest command line; default {@link MAX_LINE_LENGTH}. Longer: 421 and close. */
  readonly maxLineLength?: number;
  /** Consecutive bad commands before 421 and close; default {@link MAX_BAD_COMMANDS}. */
  readonly maxBadCommands?: number;
  /** Failed logins before 421 and close; default {@link MAX_LOGIN_FAILURES}. */
  readonly maxLoginFailures?: number;
  /** Base delay of a failed login; default {@link LOGIN_FAILURE_DELAY_MS}. */
  readonly loginFailureDelayMs?: number;
  /**
   * Failed logins one client address may have within {@link loginFailureWindowMs}, over all its
   * connections; then every `PASS` from it gets `421`. Default {@link MAX_LOGIN_FAILURES_PER_ADDRESS}; 0 disables.
   */
  readonly maxLoginFailuresPerAddress?: number;
  /** How long a failed login counts against its address; default {@link LOGIN_FAILURE_WINDOW_MS}. */
  readonly loginFailureWindowMs?: number;
  /** Wait for a data connection; default {@link DATA_CONNECT_TIMEOUT_MS}. */
  readonly dataConnectTimeoutMs?: number;
  /** Folder for uploads in progress (same file system as root); default `<root>/../.ftp-uploads`. */
  readonly uploadDir?: string;
  /** Fault rules (faults.ts says what they can do to FTP); default none. */
  readonly faults?: FaultEngine | undefined;
}

/**
 * What {@link FtpService} takes: the server's options without those the runner provides (the
 * folders live in the data root; host, log and TLS come from the service context).
 */
export type FtpServiceOptions = Omit<FtpServerOptions, 'root' | 'uploadDir' | 'host' | 'tls' | 'log'>;

/** Options with defaults applied. */
export type ResolvedFtpOptions = Required<
  Omit<FtpServerOptions, 'pasvPorts' | 'pasvAddress' | 'tls' | 'log' | 'faults' | 'ftpsPort'>
> &
  Pick<FtpServerOptions, 'pasvPorts' | 'pasvAddress' | 'tls' | 'log' | 'faults' | 'ftpsPort'>;

/** The defaults of {@link FtpServerOptions} (root, upload folder, passive ports, TLS, log and faults have none). */
export const FTP_DEFAULTS: Required<
  Omit<FtpServerOptions, 'root' | 'uploadDir' | 'pasvPorts' | 'pasvAddress' | 'tls' | 'log' | 'faults'>
> = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  users: [],
  anonymous: true,
  maxConnections: MAX_CONNECTIONS,
  maxConnectionsPerAddress: MAX_CONNECTIONS_PER_ADDRESS,
  idleTimeoutMs: IDLE_TIMEOUT_MS,
  maxLineLength: MAX_LINE_LENGTH,
  maxBadCommands: MAX_BAD_COMMANDS,
  maxLoginFailures: MAX_LOGIN_FAILURES,
  loginFailureDelayMs: LOGIN_FAILURE_DELAY_MS,
  maxLoginFailuresPerAddress: MAX_LOGIN_FAILURES_PER_ADDRESS,
  loginFailureWindowMs: LOGIN_FAILURE_WINDOW_MS,
  dataConnectTimeoutMs: DATA_CONNECT_TIMEOUT_MS,
  ftpsPort: 0,
  requireTlsSessionReuse: false,
});

/** Default grace of `FtpServer.close()`. */
export const FTP_CLOSE_GRACE_MS = CLOSE_GRACE_MS;
