/**
 * The first look at a UDP datagram, from its raw 12-byte header only (RFC 1035 §4.1.1), so a
 * flood of garbage is dropped before any parsing, answer, record or send (issue #17). It turns
 * away only what no real client sends: everything else — a header-only query (QDCOUNT 0, `dig
 * +header-only`), an opcode we do not implement, a mangled question — goes on to the responder
 * and still gets its FORMERR or NOTIMP. Not answering garbage also keeps us from being a
 * reflector for spoofed floods. TCP (no spoofing, a handshake first) is not filtered.
 * @module
 */
import { HEADER_LENGTH } from './query.js';

/**
 * More records than any query carries in a section. UPDATE messages (RFC 2136) use the sections
 * for prerequisites and updates, so this is far above what a query needs (0, 0 and 1 or 2).
 */
export const MAX_SECTION_RECORDS = 64;

/** What the header check found: 0 for a plausible query, else which rule turned it away. */
enum Drop {
  None,
  Short,
  Response,
  Questions,
  Counts,
}

/** The checks themselves, returning a number so the flood path allocates nothing per datagram. */
function check(data: Buffer): Drop {
  // Too short for a header: cannot be told from noise.
  if (data.length < HEADER_LENGTH) return Drop.Short;
  // A response: answering it would start a loop between servers (the responder drops it too).
  if ((data[2] as number) & 0x80) return Drop.Response;
  // No client asks two questions at once (RFC 9619), but a few get NSD's FORMERR; random bytes
  // almost always claim thousands.
  if (data.readUInt16BE(4) > MAX_SECTION_RECORDS) return Drop.Questions;
  for (let at = 6; at < HEADER_LENGTH; at += 2) if (data.readUInt16BE(at) > MAX_SECTION_RECORDS) return Drop.Counts;
  return Drop.None;
}

/** Why a datagram is dropped unread, or undefined when it goes on to the responder. */
export function dropReason(data: Buffer): string | undefined {
  switch (check(data)) {
    case Drop.None:
      return undefined;
    case Drop.Short:
      return 'shorter than a header';
    case Drop.Response:
      return 'a response';
    case Drop.Questions:
      return `${data.readUInt16BE(4)} questions`;
    case Drop.Counts:
      return 'implausible record counts';
  }
}

/** The `accept` of the DNS server's UDP socket: the same checks, without building a reason. */
export function plausibleQuery(data: Buffer): boolean {
  return check(data) === Drop.None;
}
