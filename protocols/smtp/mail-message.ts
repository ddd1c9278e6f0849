/**
 * A stored message parsed in full (MIME, RFC 2045-2049, by mailparser): the header addresses
 * with the display name, the Bcc recipients recovered from the envelope, the text and HTML bodies,
 * the header lines, and the attachments with their content. Pure over the raw bytes.
 * @module
 */
import { type AddressObject, type EmailAddress, simpleParser } from 'mailparser';
import type { Envelope } from './envelope-headers.js';

/** What the HTTP API says about one attachment (`GET /api/mail/:id`). */
export interface AttachmentInfo {
  readonly filename: string | undefined;
  readonly contentType: string;
  readonly size: number;
  /** The Content-ID without angle brackets (what `cid:` URLs in the HTML name), when there is one. */
  readonly contentId: string | undefined;
  /** True for a part shown inside the HTML (an inline image), false for a file attached. */
  readonly inline: boolean;
}

/** An attachment with its decoded content, as the test kit gets it. */
export interface MailAttachment extends AttachmentInfo {
  readonly content: Buffer;
}

/** The parts of a message beyond its summary. */
export interface MessageDetails {
  /** The address of the first From, or "". */
  readonly from: string;
  /** The display name of the first From, or "". */
  readonly fromName: string;
  readonly to: string[];
  readonly cc: string[];
  /** Envelope recipients named in neither To nor Cc (RFC 5321 §7.2: how Bcc shows at delivery). */
  readonly bcc: string[];
  readonly subject: string;
  readonly text: string | undefined;
  readonly html: string | undefined;
  /** Header name (lower case) → value; repeated headers joined with ", ". */
  readonly headers: Record<string, string>;
  readonly attachments: MailAttachment[];
}

function addresses(value: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  if (!value) return [];
  const list = Array.isArray(value) ? value : [value];
  // Group syntax (RFC 5322 §3.4, "team: a@x, b@y;") carries its members in `group`.
  return list.flatMap((a) => a.value.flatMap((v) => (v.group ? v.group : [v])));
}

function addressList(value: AddressObject | AddressObject[] | undefined): string[] {
  return addresses(value)
    .map((v) => v.address ?? v.name)
    .filter((s) => s !== '');
}

/** Parses a stored message (envelope trace lines included, as the store keeps it). */
export async function parseMessage(raw: Buffer, envelope: Envelope | undefined): Promise<MessageDetails> {
  // skipImageLinks keeps `cid:` references as they are (the console resolves them itself);
  // skipTextToHtml leaves `html` undefined for a text-only message.
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const headers: Record<string, string> = {};
  for (const line of parsed.headerLines) {
    const prev = headers[line.key];
    const value = line.line.slice(line.line.indexOf(':') + 1).trim();
    headers[line.key] = prev === undefined ? value : `${prev}, ${value}`;
  }
  const from = addresses(parsed.from)[0];
  const to = addressList(parsed.to);
  const cc = addressList(parsed.cc);
  const named = new Set([...to, ...cc].map((a) => a.toLowerCase()));
  const bcc = (envelope?.rcptTo ?? []).filter((r) => !named.has(r.toLowerCase()));
  return {
    from: from?.address ?? '',
    fromName: from?.name ?? '',
    to,
    cc,
    bcc,
    subject: parsed.subject ?? '',
    text: parsed.text,
    html: typeof parsed.html === 'string' ? parsed.html : undefined,
    headers,
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      size: a.size,
      contentId: a.cid ?? a.contentId?.replace(/^<|>$/g, ''),
      inline: a.related || a.contentDisposition === 'inline',
      content: a.content,
    })),
  };
}

/** The attachment metadata without the content (for JSON). */
export function attachmentInfo(a: MailAttachment): AttachmentInfo {
  return { filename: a.filename, contentType: a.contentType, size: a.size, contentId: a.contentId, inline: a.inline };
}
