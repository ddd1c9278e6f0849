/**
 * The SMTP envelope kept inside the stored message, as final delivery does it: a `Return-Path:`
 * line with the reverse path (RFC 5321 §4.4) and one `Delivered-To:` line per recipient (the
 * Postfix/qmail convention), prepended to the message. The envelope thus survives restarts and
 * Bcc recipients stay visible.
 * @module
 */

/** The envelope of one delivered message. `mailFrom` is "" for the null sender `<>`. */
export interface Envelope {
  readonly mailFrom: string;
  readonly rcptTo: string[];
}

/** Characters an address must not carry into a header line (CR, LF, other controls, angle brackets). */
const UNSAFE = /[\u0000-\u001f\u007f<>]/g;

/** The trace header block to put in front of the message. */
export function formatEnvelopeHeaders(envelope: Envelope): Buffer {
  const clean = (address: string) => address.replace(UNSAFE, '');
  const lines = [`Return-Path: <${clean(envelope.mailFrom)}>`];
  for (const rcpt of envelope.rcptTo) lines.push(`Delivered-To: ${clean(rcpt)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

const RETURN_PATH = /^Return-Path:[ \t]*<([^<>\r\n]*)>[ \t]*$/i;
const DELIVERED_TO = /^Delivered-To:[ \t]*([^\r\n]*?)[ \t]*$/i;

/**
 * Reads the envelope back from the leading trace lines: a first `Return-Path:` line followed by
 * the `Delivered-To:` lines directly after it. Undefined when the message does not start so.
 */
export function parseEnvelopeHeaders(raw: Buffer): Envelope | undefined {
  // The trace block is small; never scan more than the head of the message.
  const head = raw.subarray(0, 64 * 1024).toString('utf8');
  const lines = head.split(/\r?\n/);
  const first = RETURN_PATH.exec(lines[0] ?? '');
  if (!first) return undefined;
  const rcptTo: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const m = DELIVERED_TO.exec(lines[i] ?? '');
    if (!m) break;
    if (m[1]) rcptTo.push(m[1]);
  }
  return { mailFrom: first[1] ?? '', rcptTo };
}
