/**
 * dig-like presentation of an answer (RFC 1035 §5.1 master-file forms for the records).
 * @module
 */
import dnsPacket, { type Answer, type DecodedPacket, type Question } from 'dns-packet';
import { quoteString, rdataToText } from './rdata-text.js';
import { typeCode } from './records.js';

function fqdn(name: string): string {
  return name === '.' || name.endsWith('.') ? name : `${name}.`;
}

/** "A", or "TYPE65280" where dns-packet says "UNKNOWN_65280" (RFC 3597 §5). */
export function typeText(type: string): string {
  return type.startsWith('UNKNOWN_') ? `TYPE${type.slice(8)}` : type;
}

export { quoteString };

type RdataCodec = { encode(data: unknown): Buffer };
// dns-packet exports its per-type codecs as `record(type)`; @types/dns-packet does not declare it.
const codecFor = (dnsPacket as unknown as { record(type: string): RdataCodec }).record;

/**
 * The RDATA of a decoded record in presentation form: dns-packet decodes the types it knows
 * (names uncompressed by then), so we encode them back to plain RDATA and print that the one
 * way (rdata-text.ts); other types arrive as bytes already.
 */
export function rdataText(a: Answer): string {
  const code = typeCode(typeText(a.type)) ?? 0;
  const data = (a as { data?: unknown }).data;
  if (Buffer.isBuffer(data)) return rdataToText(code, data);
  try {
    return rdataToText(code, codecFor(a.type).encode(data).subarray(2));
  } catch {
    return String(data);
  }
}

function recordLine(a: Answer): string {
  if (a.type === 'OPT') return '';
  return [fqdn(a.name), String(a.ttl ?? 0), a.class ?? 'IN', typeText(a.type), rdataText(a)].join('\t');
}

function questionLine(q: Question): string {
  return `;${fqdn(q.name)}\t\t${q.class ?? 'IN'}\t${typeText(q.type)}`;
}

/** The header, the EDNS line and every non-empty section, as dig prints them. */
export function formatAnswer(packet: DecodedPacket, rcode: string, transport: string, server: string): string {
  const flags = (['qr', 'aa', 'tc', 'rd', 'ra', 'ad', 'cd'] as const).filter((f) => packet[`flag_${f}`]);
  const opt = packet.additionals?.find((a) => a.type === 'OPT');
  const additionals = (packet.additionals ?? []).filter((a) => a.type !== 'OPT');
  const lines = [
    `;; ->>HEADER<<- opcode: QUERY, status: ${rcode}, id: ${packet.id ?? 0}`,
    `;; flags: ${flags.join(' ')}; QUERY: ${packet.questions?.length ?? 0}, ANSWER: ${packet.answers?.length ?? 0}, AUTHORITY: ${packet.authorities?.length ?? 0}, ADDITIONAL: ${packet.additionals?.length ?? 0}`,
  ];
  if (opt && opt.type === 'OPT') {
    lines.push('', ';; OPT PSEUDOSECTION:', `; EDNS: version: ${opt.ednsVersion}, udp: ${opt.udpPayloadSize}`);
  }
  const section = (title: string, rows: string[]) => {
    if (rows.length > 0) lines.push('', `;; ${title} SECTION:`, ...rows);
  };
  section('QUESTION', (packet.questions ?? []).map(questionLine));
  section('ANSWER', (packet.answers ?? []).map(recordLine));
  section('AUTHORITY', (packet.authorities ?? []).map(recordLine));
  section('ADDITIONAL', additionals.map(recordLine));
  lines.push('', `;; SERVER: ${server} (${transport.toUpperCase()})`);
  return `${lines.join('\n')}\n`;
}
