/**
 * dig-like presentation of an answer (RFC 1035 §5.1 master-file forms for the records).
 * @module
 */
import type { Answer, DecodedPacket, Question } from 'dns-packet';

function fqdn(name: string): string {
  return name === '.' || name.endsWith('.') ? name : `${name}.`;
}

function typeText(type: string): string {
  return type.startsWith('UNKNOWN_') ? `TYPE${type.slice(8)}` : type;
}

/** A character-string in quotes, with `"`, `\` and non-printable bytes escaped (RFC 1035 §5.1). */
export function quoteString(bytes: Buffer | string): string {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  let out = '"';
  for (const b of buf) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b < 0x20 || b > 0x7e) out += `\\${String(b).padStart(3, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `${out}"`;
}

/** The RDATA of a decoded record in presentation form. */
export function rdataText(a: Answer): string {
  switch (a.type) {
    case 'A':
    case 'AAAA':
      return a.data;
    case 'NS':
    case 'CNAME':
    case 'PTR':
    case 'DNAME':
      return fqdn(a.data);
    case 'MX':
      return `${a.data.preference ?? 0} ${fqdn(a.data.exchange)}`;
    case 'SRV':
      return `${a.data.priority ?? 0} ${a.data.weight ?? 0} ${a.data.port} ${fqdn(a.data.target)}`;
    case 'SOA': {
      const d = a.data;
      return `${fqdn(d.mname)} ${fqdn(d.rname)} ${d.serial ?? 0} ${d.refresh ?? 0} ${d.retry ?? 0} ${d.expire ?? 0} ${d.minimum ?? 0}`;
    }
    case 'TXT': {
      const parts = Array.isArray(a.data) ? a.data : [a.data];
      return parts.map((p) => quoteString(p)).join(' ');
    }
    case 'CAA':
      return `${a.data.flags ?? 0} ${a.data.tag} ${quoteString(a.data.value)}`;
    case 'OPT':
      return '';
    default: {
      // RFC 3597 §5: unknown RDATA as \# length hex.
      const data = (a as { data?: unknown }).data;
      const buf = Buffer.isBuffer(data) ? data : Buffer.alloc(0);
      return `\\# ${buf.length}${buf.length > 0 ? ` ${buf.toString('hex')}` : ''}`;
    }
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
