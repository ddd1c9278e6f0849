/**
 * The list line of a message (`GET /api/mail`), read from its header block alone: From, To, Cc,
 * Subject and Date, plus the envelope trace lines the store puts in front. A light reader on
 * purpose: it runs once per delivered message and once per message when the store opens, where
 * a full MIME parse (mailparser) would cost ten times more; `get()` still parses in full.
 * Pure functions.
 * @module
 */
import libmime from 'libmime';
import addressparser from 'nodemailer/lib/addressparser';
import { type Envelope, parseEnvelopeHeaders } from './envelope-headers.js';

/** One line of the mail list (`GET /api/mail`). */
export interface MailSummary {
  readonly id: string;
  /** The From address (the envelope's MAIL FROM when the headers name none). */
  readonly from: string;
  /** The To addresses (the envelope's recipients when neither To nor Cc names any). */
  readonly to: string[];
  readonly subject: string;
  /** ISO 8601: the Date header, or the delivery time when it has none. */
  readonly date: string;
  readonly size: number;
}

/** A summary never reads more of a message than this (a header block is rarely over a few KiB). */
export const SUMMARY_HEAD_BYTES = 64 * 1024;

const WANTED = new Set(['from', 'to', 'cc', 'subject', 'date']);

/** The header block of a message (up to the first empty line), at most {@link SUMMARY_HEAD_BYTES}. */
export function headerBlock(head: Buffer): Buffer {
  const limited = head.subarray(0, SUMMARY_HEAD_BYTES);
  const crlf = limited.indexOf('\r\n\r\n');
  const lf = limited.indexOf('\n\n');
  const ends = [crlf, lf].filter((n) => n >= 0);
  return ends.length > 0 ? limited.subarray(0, Math.min(...ends) + 1) : limited;
}

/** The first value of each wanted header in a header block, unfolded (RFC 5322 §2.2.3). */
export function headerFields(header: Buffer): Map<string, string> {
  const block = header.toString('utf8');
  const fields = new Map<string, string>();
  let name: string | undefined;
  let value = '';
  const flush = () => {
    if (name !== undefined && WANTED.has(name) && !fields.has(name)) fields.set(name, value.trim());
    name = undefined;
  };
  for (const line of block.split(/\r?\n/)) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && name !== undefined) {
      value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    name = line.slice(0, colon).trim().toLowerCase();
    value = line.slice(colon + 1);
  }
  flush();
  return fields;
}

/** One bare address, `a@b.test` or `<a@b.test>`: the common header, read without the full parser. */
const PLAIN_ADDRESS =
  /^(?:<([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+)>|([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+))$/;

/** Encoded words (RFC 2047) start so; a text without it is its own decoding. */
const ENCODED_WORD = '=?';

function addresses(value: string | undefined): string[] {
  if (!value) return [];
  const plain = PLAIN_ADDRESS.exec(value);
  if (plain) return [(plain[1] ?? plain[2]) as string];
  return addressparser(value, { flatten: true })
    .map((a) => a.address || libmime.decodeWords(a.name))
    .filter((s) => s !== '');
}

/**
 * The summary of a message whose first bytes are `head` (the whole message, or at least its
 * header block), `size` bytes long in all, delivered at `deliveredMs`. The envelope is read from
 * the trace lines at the start unless given.
 */
export function summarize(id: string, head: Buffer, size: number, deliveredMs: number, given?: Envelope): MailSummary {
  const header = headerBlock(head);
  const fields = headerFields(header);
  const envelope = given ?? parseEnvelopeHeaders(header);
  const headerTo = addresses(fields.get('to'));
  const named = headerTo.length > 0 || addresses(fields.get('cc')).length > 0;
  const date = new Date(fields.get('date') ?? Number.NaN);
  let subject = fields.get('subject') ?? '';
  try {
    if (subject.includes(ENCODED_WORD)) subject = libmime.decodeWords(subject);
  } catch {
    // An undecodable encoded word stays as sent.
  }
  return {
    id,
    // Header addresses first; the envelope when the headers name none (Bcc-only mail).
    from: addresses(fields.get('from'))[0] ?? envelope?.mailFrom ?? '',
    to: named ? headerTo : (envelope?.rcptTo ?? []),
    subject,
    date: (Number.isNaN(date.getTime()) ? new Date(deliveredMs) : date).toISOString(),
    size,
  };
}
