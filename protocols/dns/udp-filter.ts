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

/** Why a datagram is dropped unread, or undefined when it goes on to the responder. */
export function dropReason(data: Buffer): string | undefined {
  // Too short for a header: cannot be told from noise.
  if (data.length < HEADER_LENGTH) return 'shorter than a header';
  // A response: answering it would start a loop between servers (the responder drops it too).
  if ((data[2] as number) & 0x80) return 'a response';
  // No client asks two questions at once (RFC 9619); random bytes almost always claim thousands.
  const qdcount = data.readUInt16BE(4);
  if (qdcount > 1) return `${qdcount} questions`;
  for (let at = 6; at < HEADER_LENGTH; at += 2)
    if (data.readUInt16BE(at) > MAX_SECTION_RECORDS) return 'implausible record counts';
  return undefined;
}

/** The `accept` of the DNS server's UDP socket. */
export function plausibleQuery(data: Buffer): boolean {
  return dropReason(data) === undefined;
}
