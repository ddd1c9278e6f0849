/**
 * RDATA of one master-file record, from its presentation tokens to a {@link ZoneRecord}: the
 * structured types, the types held as bytes with their own presentation forms (HINFO RFC 1035,
 * NAPTR RFC 3403, DS/DNSKEY/RRSIG/NSEC RFC 4034, SSHFP RFC 4255, TLSA RFC 6698, SVCB/HTTPS
 * RFC 9460), and RFC 3597's generic `\# length hex` for every type (known ones are then read
 * back into their structured form, as RFC 3597 §5 asks).
 * @module
 */
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { nameToWire } from './names.js';
import {
  algorithm,
  atLeast,
  base64Of,
  expectCount,
  hexOf,
  Out,
  sigTime,
  typeBitmap,
  typeField,
  unquoted,
} from './rdata-fields.js';
import { parseMoreRdata } from './rdata-forms.js';
import { type StructuredType, TYPE_CODES, type ZoneRecord } from './records.js';
import { characterString, decodeBytes, Fail, parseName, parseTtl, parseUint, type Token } from './zone-syntax.js';

export { typeBitmap } from './rdata-fields.js';

/** SVCB parameter keys (RFC 9460 §14.3.2). */
const SVC_KEYS: Record<string, number> = {
  mandatory: 0,
  alpn: 1,
  'no-default-alpn': 2,
  port: 3,
  ipv4hint: 4,
  ech: 5,
  ipv6hint: 6,
};

/** A comma-separated list with `\,` escapes (RFC 9460 Appendix A.1). */
function commaList(value: Buffer): Buffer[] {
  const items: Buffer[] = [];
  let current: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const b = value[i] as number;
    if (b === 0x5c && i + 1 < value.length) current.push(value[++i] as number);
    else if (b === 0x2c) {
      items.push(Buffer.from(current));
      current = [];
    } else current.push(b);
  }
  items.push(Buffer.from(current));
  return items;
}

function svcKey(name: string, line: number): number {
  const known = SVC_KEYS[name.toLowerCase()];
  if (known !== undefined) return known;
  const m = /^key(\d{1,5})$/i.exec(name);
  if (m && Number(m[1]) <= 65535) return Number(m[1]);
  throw new Fail(line, `unknown SVCB parameter '${name}'`);
}

/** SvcParams (RFC 9460 §2.1): `key=value`, `key="value"`, `key`; on the wire in increasing key order (§2.2). */
function svcParams(fields: readonly Token[], line: number): Buffer {
  // The tokenizer splits `alpn="h2,h3"` into `alpn=` and a quoted token: join them again.
  const items: { key: string; value: Buffer | undefined }[] = [];
  for (let i = 0; i < fields.length; i++) {
    const t = fields[i] as Token;
    const eq = t.text.indexOf('=');
    if (t.quoted) throw new Fail(line, `SVCB parameter value "${t.text}" without a key`);
    if (eq < 0) {
      items.push({ key: t.text, value: undefined });
      continue;
    }
    let value = decodeBytes({ ...t, text: t.text.slice(eq + 1) });
    const next = fields[i + 1];
    if (eq === t.text.length - 1 && next?.quoted) {
      value = decodeBytes(next);
      i++;
    }
    items.push({ key: t.text.slice(0, eq), value });
  }
  const params = new Map<number, Buffer>();
  for (const { key, value } of items) {
    const k = svcKey(key, line);
    if (params.has(k)) throw new Fail(line, `SVCB parameter '${key}' given twice`);
    const need = (what: string) => {
      if (value === undefined || value.length === 0) throw new Fail(line, `SVCB ${key} needs ${what}`);
      return value;
    };
    const list = () => commaList(need('a value')).map((b) => b.toString('latin1'));
    let wire: Buffer;
    switch (k) {
      case 0:
        wire = Buffer.concat(
          list()
            .map((n) => svcKey(n, line))
            .sort((a, b) => a - b)
            .map((n) => new Out().u16(n).done()),
        );
        break;
      case 1:
        wire = Buffer.concat(commaList(need('protocol ids')).map((b) => new Out().string(b).done()));
        break;
      case 2:
        if (value !== undefined && value.length > 0) throw new Fail(line, 'SVCB no-default-alpn takes no value');
        wire = Buffer.alloc(0);
        break;
      case 3:
        wire = new Out()
          .u16(parseUint({ text: need('a port').toString(), quoted: false, line }, 65535, 'port', line))
          .done();
        break;
      case 4:
      case 6:
        wire = Buffer.concat(
          list().map((ip) => {
            if (k === 4 ? !net.isIPv4(ip) : !net.isIPv6(ip))
              throw new Fail(line, `'${ip}' is not an IPv${k === 4 ? 4 : 6} address`);
            return codec(k === 4 ? 'A' : 'AAAA')
              .encode(ip)
              .subarray(2);
          }),
        );
        break;
      case 5:
        wire = base64Of([{ text: need('a base64 ECHConfigList').toString(), quoted: false, line }], 'ech', line);
        break;
      default:
        wire = value ?? Buffer.alloc(0);
    }
    params.set(k, wire);
  }
  // RFC 9460 §8: every key that `mandatory` lists must be there (NSD refuses the zone otherwise).
  const mandatory = params.get(0);
  for (let at = 0; mandatory && at + 1 < mandatory.length; at += 2) {
    const key = mandatory.readUInt16BE(at);
    if (key === 0) throw new Fail(line, 'SVCB mandatory cannot list mandatory itself');
    if (!params.has(key)) {
      const name = Object.entries(SVC_KEYS).find(([, c]) => c === key)?.[0] ?? `key${key}`;
      throw new Fail(line, `SVCB mandatory lists ${name}, which the record does not have`);
    }
  }
  const out = new Out();
  for (const k of [...params.keys()].sort((a, b) => a - b)) {
    const v = params.get(k) as Buffer;
    out.u16(k).u16(v.length).bytes(v);
  }
  return out.done();
}

type RdataCodec = { encode(data: unknown): Buffer; decode(buf: Buffer, offset?: number): unknown };
// dns-packet exports its per-type codecs as `record(type)`; @types/dns-packet does not declare it.
const codec = (dnsPacket as unknown as { record(type: string): RdataCodec }).record;

/** Decodes RFC 3597 bytes of a structured type into its data (RFC 3597 §5: `\#` for a known type means that type). */
function structuredFromWire(type: StructuredType, rdata: Buffer, line: number): unknown {
  const withLength = Buffer.concat([new Out().u16(rdata.length).done(), rdata]);
  // An address is exactly 4 or 16 bytes (NSD: "bad unknown RDATA").
  const size = type === 'A' ? 4 : type === 'AAAA' ? 16 : undefined;
  if (size !== undefined && rdata.length !== size)
    throw new Fail(line, `\\# data of ${rdata.length} bytes is not a valid ${type} (${size} bytes)`);
  try {
    const data = codec(type === 'SPF' ? 'TXT' : type).decode(withLength, 0) as unknown;
    const lower = (n: string) => n.toLowerCase();
    switch (type) {
      case 'NS':
      case 'CNAME':
      case 'DNAME':
      case 'PTR':
        return lower(data as string);
      case 'MX': {
        const d = data as { preference: number; exchange: string };
        return { preference: d.preference, exchange: lower(d.exchange) };
      }
      case 'SRV': {
        const d = data as { priority: number; weight: number; port: number; target: string };
        return { priority: d.priority, weight: d.weight, port: d.port, target: lower(d.target) };
      }
      case 'SOA': {
        const d = data as Record<string, number | string>;
        return { ...d, mname: lower(d.mname as string), rname: lower(d.rname as string) };
      }
      case 'CAA': {
        const d = data as { flags: number; tag: string; value: string };
        return { flags: d.flags, tag: d.tag, value: d.value };
      }
      default:
        return data;
    }
  } catch (err) {
    throw new Fail(line, `\\# data is not a valid ${type}: ${(err as Error).message}`);
  }
}

/** Parses the RDATA fields of one record of type `code`. */
export function parseRdata(
  name: string,
  ttl: number,
  code: number,
  f: readonly Token[],
  origin: string | undefined,
  line: number,
): ZoneRecord {
  const typeText = Object.entries(TYPE_CODES).find(([, c]) => c === code)?.[0] ?? `TYPE${code}`;
  const structured = (
    ['SOA', 'NS', 'A', 'AAAA', 'CNAME', 'DNAME', 'MX', 'TXT', 'SPF', 'SRV', 'PTR', 'CAA'] as const
  ).find((t) => TYPE_CODES[t] === code);
  if (f[0]?.text === '\\#' && !f[0].quoted) {
    // RFC 3597 §5: \# <length> <hex>.
    const length = parseUint(f[1], 65535, 'RFC 3597 length', line);
    const data = hexOf(f.slice(2), 'RFC 3597 data', line, true);
    if (data.length !== length) throw new Fail(line, `\\# says ${length} bytes but gives ${data.length}`);
    if (structured)
      return { name, ttl, type: structured, data: structuredFromWire(structured, data, line) } as ZoneRecord;
    return { name, ttl, type: 'OPAQUE', code, data };
  }
  const n = (i: number) => parseName(f[i] as Token, origin);
  const u = (i: number, max: number, what: string) => parseUint(f[i], max, what, line);
  const opaque = (data: Buffer): ZoneRecord => ({ name, ttl, type: 'OPAQUE', code, data });
  /** The DNSSEC and key types: at least `count` unquoted fields (`what`), written in order. */
  const fields = (count: number, what: string, write: (out: Out) => Out): ZoneRecord => {
    atLeast(f, count, typeText, what, line);
    unquoted(f, typeText);
    return opaque(write(new Out()).done());
  };
  switch (typeText) {
    case 'A':
    case 'AAAA': {
      expectCount(f, 1, typeText, `an IPv${typeText === 'A' ? 4 : 6} address`, line);
      const text = (f[0] as Token).text;
      if (typeText === 'A' ? !net.isIPv4(text) : !net.isIPv6(text))
        throw new Fail(line, `'${text}' is not an IPv${typeText === 'A' ? 4 : 6} address`);
      return { name, ttl, type: typeText, data: text };
    }
    case 'NS':
    case 'CNAME':
    case 'DNAME':
    case 'PTR':
      expectCount(f, 1, typeText, 'a domain name', line);
      return { name, ttl, type: typeText, data: n(0) };
    case 'MX':
      expectCount(f, 2, typeText, 'preference and exchange', line);
      return { name, ttl, type: 'MX', data: { preference: u(0, 65535, 'MX preference'), exchange: n(1) } };
    case 'SRV':
      expectCount(f, 4, typeText, 'priority, weight, port and target', line);
      return {
        name,
        ttl,
        type: 'SRV',
        data: {
          priority: u(0, 65535, 'SRV priority'),
          weight: u(1, 65535, 'SRV weight'),
          port: u(2, 65535, 'SRV port'),
          target: n(3),
        },
      };
    case 'SOA':
      expectCount(f, 7, typeText, 'mname, rname, serial, refresh, retry, expire and minimum', line);
      unquoted(f, typeText);
      return {
        name,
        ttl,
        type: 'SOA',
        data: {
          mname: n(0),
          rname: n(1),
          serial: u(2, 2 ** 32 - 1, 'SOA serial'),
          refresh: parseTtl(f[3] as Token, 'SOA refresh'),
          retry: parseTtl(f[4] as Token, 'SOA retry'),
          expire: parseTtl(f[5] as Token, 'SOA expire'),
          minimum: parseTtl(f[6] as Token, 'SOA minimum'),
        },
      };
    case 'TXT':
    case 'SPF': {
      if (f.length === 0) throw new Fail(line, `${typeText} needs at least one string`);
      const strings = f.map(characterString);
      const size = strings.reduce((sum, s) => sum + s.length + 1, 0);
      if (size > 65_535) throw new Fail(line, `${typeText} data of ${size} bytes is longer than 65535`);
      return { name, ttl, type: typeText, data: strings };
    }
    case 'CAA': {
      expectCount(f, 3, typeText, 'flags, tag and value', line);
      const tag = (f[1] as Token).text;
      // RFC 8659 §4.1: the tag is 1-15 ASCII letters and digits.
      if ((f[1] as Token).quoted || !/^[a-z0-9]{1,15}$/i.test(tag))
        throw new Fail(line, `CAA tag '${tag}' must be 1-15 letters and digits`);
      const value = decodeBytes(f[2] as Token).toString('utf8');
      return { name, ttl, type: 'CAA', data: { flags: u(0, 255, 'CAA flags'), tag, value } };
    }
    case 'HINFO':
      expectCount(f, 2, typeText, 'CPU and OS', line);
      return opaque(
        new Out()
          .string(characterString(f[0] as Token))
          .string(characterString(f[1] as Token))
          .done(),
      );
    case 'NAPTR':
      expectCount(f, 6, typeText, 'order, preference, flags, services, regexp and replacement', line);
      return opaque(
        new Out()
          .u16(u(0, 65535, 'NAPTR order'))
          .u16(u(1, 65535, 'NAPTR preference'))
          .string(characterString(f[2] as Token))
          .string(characterString(f[3] as Token))
          .string(characterString(f[4] as Token))
          .bytes(nameToWire(n(5)))
          .done(),
      );
    case 'DS':
    case 'CDS':
      return fields(4, 'key tag, algorithm, digest type and digest', (o) =>
        o
          .u16(u(0, 65535, 'key tag'))
          .u8(algorithm(f[1], line))
          .u8(u(2, 255, 'digest type'))
          .bytes(hexOf(f.slice(3), 'digest', line)),
      );
    case 'SSHFP':
      return fields(3, 'algorithm, fingerprint type and fingerprint', (o) =>
        o
          .u8(u(0, 255, 'SSHFP algorithm'))
          .u8(u(1, 255, 'fingerprint type'))
          .bytes(hexOf(f.slice(2), 'fingerprint', line)),
      );
    case 'TLSA':
    case 'SMIMEA':
      return fields(4, 'usage, selector, matching type and data', (o) =>
        o
          .u8(u(0, 255, 'certificate usage'))
          .u8(u(1, 255, 'selector'))
          .u8(u(2, 255, 'matching type'))
          .bytes(hexOf(f.slice(3), 'certificate data', line)),
      );
    case 'DNSKEY':
    case 'CDNSKEY':
      return fields(4, 'flags, protocol, algorithm and key', (o) =>
        o
          .u16(u(0, 65535, 'DNSKEY flags'))
          .u8(u(1, 255, 'DNSKEY protocol'))
          .u8(algorithm(f[2], line))
          .bytes(base64Of(f.slice(3), 'public key', line)),
      );
    case 'RRSIG':
      return fields(
        9,
        'type covered, algorithm, labels, original TTL, expiration, inception, key tag, signer and signature',
        (o) =>
          o
            .u16(typeField(f[0], line))
            .u8(algorithm(f[1], line))
            .u8(u(2, 255, 'labels'))
            .u32(parseTtl(f[3] as Token, 'original TTL'))
            .u32(sigTime(f[4], 'expiration', line))
            .u32(sigTime(f[5], 'inception', line))
            .u16(u(6, 65535, 'key tag'))
            .bytes(nameToWire(n(7)))
            .bytes(base64Of(f.slice(8), 'signature', line)),
      );
    case 'NSEC':
      atLeast(f, 1, typeText, 'the next name', line);
      unquoted(f, typeText);
      return opaque(Buffer.concat([nameToWire(n(0)), typeBitmap(f.slice(1).map((t) => typeField(t, line)))]));
    case 'SVCB':
    case 'HTTPS': {
      atLeast(f, 2, typeText, 'priority and target', line);
      const priority = u(0, 65535, `${typeText} priority`);
      const params = f.slice(2);
      // RFC 9460 §2.4.1: AliasMode (priority 0) carries no parameters.
      if (priority === 0 && params.length > 0)
        throw new Fail(line, `${typeText} with priority 0 (alias mode) takes no parameters`);
      return opaque(Buffer.concat([new Out().u16(priority).done(), nameToWire(n(1)), svcParams(params, line)]));
    }
    default: {
      const more = parseMoreRdata(typeText, f, origin, line);
      if (more) return opaque(more);
      throw new Fail(
        line,
        `type ${typeText} has no presentation form here: write it in RFC 3597 form, ${typeText} \\# <length> <hex>`,
      );
    }
  }
}
