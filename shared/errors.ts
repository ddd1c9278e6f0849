/**
 * Error classes with stable string codes (modelled on undici's `lib/core/errors.js`).
 * Protocol subclasses carry their wire code; handlers turn them into replies.
 * @module
 */

export type MinisuiteErrorCode =
  | 'MS_CONFIG'
  | 'MS_USAGE'
  | 'MS_LINE_TOO_LONG'
  | 'MS_ADDRESS_IN_USE'
  | 'MS_LISTEN_FAILED'
  | 'MS_TIMEOUT'
  | 'MS_CLOSED'
  | 'MS_TLS'
  | 'MS_PROTOCOL'
  | 'MS_CLIENT'
  | 'MS_UNEXPECTED';

/** Base of every error minisuite throws on purpose. `code` is stable across versions. */
export class MinisuiteError extends Error {
  readonly code: MinisuiteErrorCode;
  constructor(code: MinisuiteErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A configuration value or command-line flag is wrong; `field` names it ("ftp.port", "--http-port"). */
export class ConfigError extends MinisuiteError {
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('MS_CONFIG', `${field}: ${message}`, options);
    this.field = field;
  }
}

/** A line exceeded the reader's maximum length; the protocol answers it (500, or 421 and close). */
export class LineTooLongError extends MinisuiteError {
  readonly limit: number;
  constructor(limit: number) {
    super('MS_LINE_TOO_LONG', `line longer than ${limit} bytes`);
    this.limit = limit;
  }
}

/** A waited-for thing did not happen in time. */
export class TimeoutError extends MinisuiteError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MS_TIMEOUT', message, options);
  }
}

/**
 * A protocol-level failure with its wire code: an FTP/SMTP reply code, a DNS rcode name
 * or an HTTP status. Clients throw it; servers answer with it.
 */
export class ProtocolError extends MinisuiteError {
  readonly wireCode: number | string;
  constructor(wireCode: number | string, message: string, options?: { cause?: unknown }) {
    super('MS_PROTOCOL', message, options);
    this.wireCode = wireCode;
  }
}

const PEER_RESET_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
]);

/** Peer resets are the peer's business: debug noise, not errors (STYLE.md point 9). */
export function isPeerReset(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && PEER_RESET_CODES.has(code);
}

/** The message of anything thrown, for one-line reports. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The error for a file a setting names that cannot be read: `--zone: no such file 'x.zone'`
 * rather than a bare ENOENT.
 */
export function fileReadError(field: string, file: string, err: unknown): ConfigError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const text =
    code === 'ENOENT'
      ? `no such file '${file}'`
      : code === 'EACCES' || code === 'EPERM'
        ? `cannot read '${file}' (permission denied)`
        : code === 'EISDIR'
          ? `'${file}' is a folder, not a file`
          : code === 'ENOTDIR'
            ? `no such file '${file}' (a part of its path is a file)`
            : `cannot read '${file}': ${code ?? errorMessage(err)}`;
  return new ConfigError(field, text, { cause: err });
}
