/**
 * How SMTP commands and replies read in exchange records: secrets masked, enhanced status codes
 * left out (RFC 2034 adds them to the wire text; the timeline keeps the classic "250 Accepted").
 * Shared by the server and the client. Pure functions, and {@link ReplyTexts} remembering them.
 * @module
 */

/** The mask that stands for a secret. */
export const MASK = '****';

const AUTH = /^(AUTH)[ \t]+(\S+)([ \t]+\S.*)?$/i;
const AUTH_START = /^\s*AUTH/i;

/**
 * The command as it may be logged: `AUTH PLAIN dGVzdA==` → `AUTH PLAIN ****`; an AUTH exchange
 * with continuation lines (`withContinuation`) is `AUTH LOGIN ****` too; other commands as sent.
 */
export function maskCommand(line: string, withContinuation = false): string {
  const text = line.endsWith('\n') ? line.slice(0, line.endsWith('\r\n') ? -2 : -1) : line;
  // Nearly every command is not AUTH: one test, no trimmed copy.
  if (!withContinuation && !AUTH_START.test(text)) return text;
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

/** Single-line replies {@link ReplyTexts} remembers before it starts over. */
const REMEMBERED_REPLIES = 64;

/**
 * {@link formatReply} of single-line replies, remembered with the text's UTF-8 length: a server
 * sends the same few replies ("250 Accepted", "354 End data...") again and again, and each
 * exchange record needs both. A reply seen once (the 250 naming a stored message) only costs a
 * slot until the table starts over.
 */
export class ReplyTexts {
  #known = new Map<string, { readonly code: number; readonly line: string; readonly bytes: number }>();

  /** The record line of `code` `text`, and the bytes of `text` (without code and CR LF). */
  get(code: number, text: string): { readonly line: string; readonly bytes: number } {
    const known = this.#known.get(text);
    if (known !== undefined && known.code === code) return known;
    const entry = { code, line: formatReply(code, [text]), bytes: Buffer.byteLength(text) };
    if (this.#known.size >= REMEMBERED_REPLIES) this.#known.clear();
    this.#known.set(text, entry);
    return entry;
  }
}
