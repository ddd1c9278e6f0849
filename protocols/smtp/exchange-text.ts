/**
 * How SMTP commands and replies read in exchange records: secrets masked, enhanced status codes
 * left out (RFC 2034 adds them to the wire text; the timeline keeps the classic "250 Accepted").
 * Shared by the server and the client. Pure functions.
 * @module
 */

/** The mask that stands for a secret. */
export const MASK = '****';

const AUTH = /^(AUTH)[ \t]+(\S+)([ \t]+\S.*)?$/i;

/**
 * The command as it may be logged: `AUTH PLAIN dGVzdA==` → `AUTH PLAIN ****`; an AUTH exchange
 * with continuation lines (`withContinuation`) is `AUTH LOGIN ****` too; other commands as sent.
 */
export function maskCommand(line: string, withContinuation = false): string {
  const text = line.replace(/\r?\n$/, '');
  const m = AUTH.exec(text.trim());
  if (!m) return text;
  const verb = `${m[1]?.toUpperCase()} ${m[2]?.toUpperCase()}`;
  return m[3] !== undefined || withContinuation ? `${verb} ${MASK}` : verb;
}

/** RFC 3463 enhanced status code at the start of a reply text ("2.1.0 "). */
const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3}(?:[ \t]+|$)/;

/** One line for a reply: `250 Accepted`; a multi-line reply joined with spaces. */
export function formatReply(code: number, lines: readonly string[]): string {
  const text = lines
    .map((l) => l.replace(ENHANCED, '').trim())
    .filter((l) => l !== '')
    .join(' ');
  return text === '' ? String(code) : `${code} ${text}`;
}

/** Whether a reply code means success (2xx) or an intermediate step (3xx). */
export function replyOk(code: number): boolean {
  return code >= 200 && code < 400;
}
