/**
 * Named limits of the SMTP server. Each is also an option of {@link SmtpServerOptions}; these are
 * the defaults.
 * @module
 */

/**
 * Longest command line in bytes, without CRLF. RFC 5321 §4.5.3.1.4 requires at least 512 octets
 * including CRLF; AUTH PLAIN initial responses with long credentials need more, so we allow more.
 * An over-long line is answered with 500 and the connection lives on.
 */
export const MAX_COMMAND_LINE_LENGTH = 4096;

/**
 * Recipients per message. RFC 5321 §4.5.3.1.8 asks servers to accept at least 100; more are
 * answered with 452 (the client may send them in another transaction).
 */
export const MAX_RECIPIENTS = 1000;

/** Largest message in bytes (SPEC.md `--smtp-max-size` default, 10 MiB); larger ones get 552 and nothing is stored. */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/**
 * Messages the mail store keeps (`--smtp-max-messages`); past it the oldest are removed first.
 * Generous for a test server (10 KiB mail: ~100 MB of log); listing them all stays well under a
 * second, as the list lives in memory.
 */
export const MAX_STORED_MESSAGES = 10_000;

/** Simultaneous SMTP sessions; one more is told `421` and closed. */
export const MAX_SMTP_CONNECTIONS = 256;

/** A session with no command for this long is told `421` and closed (RFC 5321 §4.5.3.2.7: at least 5 minutes). */
export const SMTP_IDLE_TIMEOUT_MS = 5 * 60_000;

/**
 * A command line must be complete within this long of its first byte, or the session is told
 * `421` and closed (slowloris). Generous enough for a person typing into telnet.
 */
export const SMTP_COMMAND_DEADLINE_MS = 60_000;
