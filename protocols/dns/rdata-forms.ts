/**
 * Presentation forms of the types held as opaque RDATA that NSD reads from zone files too, so a
 * zone NSD loads loads here: names (MB/MG/MR, MINFO, RP RFC 1183, AFSDB, RT, KX, PX, LP,
 * TALINK), strings (X25, ISDN, AVC), LOC (RFC 1876), URI (RFC 7553), EUI48/EUI64
 * (RFC 7043), NID/L32/L64 (RFC 6742), CERT (RFC 4398), IPSECKEY (RFC 4025), DHCID (RFC 4701),
 * OPENPGPKEY (RFC 7929), NSEC3/NSEC3PARAM (RFC 5155), CSYNC (RFC 7477), ZONEMD (RFC 8976),
 * KEY/SIG (RFC 2535, as DNSKEY/RRSIG) and DLV (as DS). Names in these types are never
 * compressed on the wire (RFC 3597 §4).
 * @module
 */
import net from 'node:net';
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
import { characterString, decodeBytes, Fail, parseName, parseTtl, parseUint, type Token } from './zone-syntax.js';

/** CERT type mnemonics (RFC 4398 §2.1). */
const CERT_TYPES: Record<string, number> = {
  PKIX: 1,
  SPKI: 2,
  PGP: 3,
  IPKIX: 4,
  ISPKI: 5,
  IPGP: 6,
  ACPKIX: 7,
  IACPKIX: 8,
  URI: 253,
  OID: 254,
};

/** RFC 4648 §7 base32 with the extended hex alphabet, for NSEC3 hashes. */
function base32hex(token: Token, line: number): Buffer {
  const text = token.text.toUpperCase().replace(/=+$/, '');
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUV';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Fail(line, `'${token.text}' is not base32hex`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** A salt (NSEC3, NSEC3PARAM): hex, or `-` for none; written with its length. */
function salt(token: Token | undefined, line: number): Buffer {
  const bytes = hexOf(token ? [token] : [], 'salt', line, true);
  if (bytes.length > 255) throw new Fail(line, 'salt longer than 255 bytes');
  return new Out().u8(bytes.length).bytes(bytes).done();
}

/** `xx-xx-…` (EUI48/EUI64, RFC 7043 §3.2/§4.2). */
function eui(token: Token | undefined, count: number, line: number): Buffer {
  const text = token?.text ?? '';
  const re = new RegExp(`^[0-9a-f]{2}(-[0-9a-f]{2}){${count - 1}}$`, 'i');
  if (!re.test(text)) throw new Fail(line, `'${text}' is not ${count} hex pairs joined by '-'`);
  return Buffer.from(text.replaceAll('-', ''), 'hex');
}

/** A 64-bit locator or node ID: four groups of 4 hex digits joined by ':' (RFC 6742 §2.1). */
function ilnp64(token: Token | undefined, line: number): Buffer {
  const text = token?.text ?? '';
  if (!/^[0-9a-f]{1,4}(:[0-9a-f]{1,4}){3}$/i.test(text)) throw new Fail(line, `'${text}' is not an ILNP 64-bit value`);
  return Buffer.from(
    text
      .split(':')
      .map((g) => g.padStart(4, '0'))
      .join(''),
    'hex',
  );
}

/** A LOC size or precision in metres ("10m", "1.5") as RFC 1876's mantissa/exponent byte of centimetres. */
function locPrecision(token: Token, line: number): number {
  const m = /^(\d+)(?:\.(\d{1,2}))?m?$/i.exec(token.text);
  if (!m) throw new Fail(line, `LOC size '${token.text}' is not metres`);
  let cm = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  if (cm > 9e9) throw new Fail(line, `LOC size '${token.text}' is larger than 90000000m`);
  let exponent = 0;
  while (cm >= 10) {
    cm = Math.floor(cm / 10);
    exponent++;
  }
  return (cm << 4) | exponent;
}

/** RFC 1876 §3: `d [m [s]] {N|S} d [m [s]] {E|W} alt[m] [size[m] [hp[m] [vp[m]]]]`. */
function loc(f: readonly Token[], line: number): Buffer {
  unquoted(f, 'LOC');
  let i = 0;
  const angle = (hemispheres: string, maxDegrees: number, what: string): number => {
    const parts: string[] = [];
    while (i < f.length && parts.length < 3 && !hemispheres.includes((f[i] as Token).text.toUpperCase()))
      parts.push((f[i++] as Token).text);
    const hemisphere = f[i++]?.text.toUpperCase();
    if (!hemisphere || !hemispheres.includes(hemisphere) || parts.length === 0)
      throw new Fail(line, `LOC ${what} needs degrees [minutes [seconds]] and ${hemispheres[0]} or ${hemispheres[1]}`);
    const [d, min = '0', sec = '0'] = parts;
    if (!/^\d+$/.test(d as string) || !/^\d+$/.test(min) || !/^\d+(\.\d{1,3})?$/.test(sec))
      throw new Fail(line, `LOC ${what} '${parts.join(' ')}' is not degrees, minutes and seconds`);
    if (Number(d) > maxDegrees || Number(min) > 59 || Number(sec) >= 60)
      throw new Fail(line, `LOC ${what} '${parts.join(' ')}' is out of range`);
    const ms = Math.round(((Number(d) * 60 + Number(min)) * 60 + Number(sec)) * 1000);
    return hemisphere === hemispheres[0] ? 2 ** 31 + ms : 2 ** 31 - ms;
  };
  const latitude = angle('NS', 90, 'latitude');
  const longitude = angle('EW', 180, 'longitude');
  const altToken = f[i++];
  const alt = /^(-?\d+)(?:\.(\d{1,2}))?m?$/i.exec(altToken?.text ?? '');
  if (!alt) throw new Fail(line, `LOC altitude '${altToken?.text ?? ''}' is not metres`);
  const sign = (alt[1] as string).startsWith('-') ? -1 : 1;
  const altCm = Number(alt[1]) * 100 + sign * Number((alt[2] ?? '').padEnd(2, '0'));
  const altitude = 10_000_000 + altCm;
  if (altitude < 0 || altitude > 2 ** 32 - 1) throw new Fail(line, `LOC altitude '${altToken?.text}' is out of range`);
  // RFC 1876 §3 defaults: size 1m, horizontal precision 10000m, vertical precision 10m.
  const [size = 0x12, hp = 0x16, vp = 0x13] = f.slice(i).map((t) => locPrecision(t, line));
  if (f.length - i > 3) throw new Fail(line, 'LOC has more fields than size and two precisions');
  return new Out().u8(0).u8(size).u8(hp).u8(vp).u32(latitude).u32(longitude).u32(altitude).done();
}

/** IPSECKEY (RFC 4025 §3.1): precedence, gateway type, algorithm, gateway, optional base64 key. */
function ipseckey(f: readonly Token[], origin: string | undefined, line: number): Buffer {
  atLeast(f, 4, 'IPSECKEY', 'precedence, gateway type, algorithm and gateway', line);
  unquoted(f, 'IPSECKEY');
  const kind = parseUint(f[1], 3, 'IPSECKEY gateway type', line);
  const gw = f[3] as Token;
  let gateway: Buffer;
  if (kind === 0) {
    if (gw.text !== '.') throw new Fail(line, "IPSECKEY gateway type 0 takes '.' as gateway");
    gateway = Buffer.alloc(0);
  } else if (kind === 1 || kind === 2) {
    if (!(kind === 1 ? net.isIPv4(gw.text) : net.isIPv6(gw.text)))
      throw new Fail(line, `IPSECKEY gateway '${gw.text}' is not an IPv${kind === 1 ? 4 : 6} address`);
    gateway = kind === 1 ? Buffer.from(gw.text.split('.').map(Number)) : ipv6Bytes(gw.text);
  } else gateway = nameToWire(parseName(gw, origin));
  const out = new Out()
    .u8(parseUint(f[0], 255, 'precedence', line))
    .u8(kind)
    .u8(parseUint(f[2], 255, 'algorithm', line));
  out.bytes(gateway);
  if (f.length > 4) out.bytes(base64Of(f.slice(4), 'public key', line));
  return out.done();
}

function ipv6Bytes(text: string): Buffer {
  const [head = '', tail] = text.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  let parts = groups(head);
  const rest = tail === undefined ? [] : groups(tail);
  const last = (tail === undefined ? parts : rest).at(-1) ?? '';
  const v4 = net.isIPv4(last) ? last.split('.').map(Number) : undefined;
  if (v4) {
    const hex = [((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number)];
    if (tail === undefined) parts = [...parts.slice(0, -1), ...hex.map((h) => h.toString(16))];
    else rest.splice(-1, 1, ...hex.map((h) => h.toString(16)));
  }
  const fill = tail === undefined ? [] : Array(8 - parts.length - rest.length).fill('0');
  return Buffer.from([...parts, ...fill, ...rest].map((g) => (g as string).padStart(4, '0')).join(''), 'hex');
}

/**
 * The RDATA of `type` written in its presentation form, or undefined when the type has none
 * here. Throws {@link Fail}.
 */
export function parseMoreRdata(
  type: string,
  f: readonly Token[],
  origin: string | undefined,
  line: number,
): Buffer | undefined {
  const n = (i: number) => nameToWire(parseName(f[i] as Token, origin));
  const u = (i: number, max: number, what: string) => parseUint(f[i], max, what, line);
  const names = (count: number, what: string): Buffer => {
    expectCount(f, count, type, what, line);
    return Buffer.concat(f.map((_, i) => n(i)));
  };
  const numberAndName = (what: string): Buffer => {
    expectCount(f, 2, type, what, line);
    return Buffer.concat([new Out().u16(u(0, 65535, `${type} preference`)).done(), n(1)]);
  };
  const strings = (min: number, max: number, what: string): Buffer => {
    if (f.length < min || f.length > max) throw new Fail(line, `${type} needs ${what}, got ${f.length} field(s)`);
    const out = new Out();
    for (const t of f) out.string(characterString(t));
    return out.done();
  };
  switch (type) {
    case 'MB':
    case 'MG':
    case 'MR':
      return names(1, 'a domain name');
    case 'MINFO':
      return names(2, 'responsible and error mailboxes');
    case 'RP':
      return names(2, 'mailbox and TXT name');
    case 'TALINK':
      return names(2, 'previous and next names');
    case 'AFSDB':
      return numberAndName('subtype and host name');
    case 'RT':
    case 'KX':
      return numberAndName('preference and host name');
    case 'LP':
      return numberAndName('preference and FQDN');
    case 'PX':
      expectCount(f, 3, type, 'preference, MAP822 and MAPX400', line);
      return Buffer.concat([new Out().u16(u(0, 65535, 'PX preference')).done(), n(1), n(2)]);
    case 'X25':
      return strings(1, 1, 'one PSDN address');
    case 'ISDN':
      return strings(1, 2, 'an address and optionally a subaddress');
    case 'AVC':
      return strings(1, Number.POSITIVE_INFINITY, 'at least one string');
    case 'LOC':
      return loc(f, line);
    case 'URI': {
      expectCount(f, 3, type, 'priority, weight and target', line);
      const target = decodeBytes(f[2] as Token);
      return new Out()
        .u16(u(0, 65535, 'URI priority'))
        .u16(u(1, 65535, 'URI weight'))
        .bytes(target)
        .done();
    }
    case 'EUI48':
      expectCount(f, 1, type, 'an address', line);
      return eui(f[0], 6, line);
    case 'EUI64':
      expectCount(f, 1, type, 'an address', line);
      return eui(f[0], 8, line);
    case 'NID':
    case 'L64':
      expectCount(f, 2, type, 'preference and a 64-bit value', line);
      return Buffer.concat([new Out().u16(u(0, 65535, `${type} preference`)).done(), ilnp64(f[1], line)]);
    case 'L32': {
      expectCount(f, 2, type, 'preference and locator', line);
      const text = (f[1] as Token).text;
      if (!net.isIPv4(text)) throw new Fail(line, `L32 locator '${text}' is not an IPv4 address`);
      return new Out()
        .u16(u(0, 65535, 'L32 preference'))
        .bytes(Buffer.from(text.split('.').map(Number)))
        .done();
    }
    case 'CERT': {
      atLeast(f, 4, type, 'type, key tag, algorithm and certificate', line);
      unquoted(f, type);
      const certType = CERT_TYPES[(f[0] as Token).text.toUpperCase()] ?? u(0, 65535, 'CERT type');
      return new Out()
        .u16(certType)
        .u16(u(1, 65535, 'key tag'))
        .u8(algorithm(f[2], line))
        .bytes(base64Of(f.slice(3), 'certificate', line))
        .done();
    }
    case 'IPSECKEY':
      return ipseckey(f, origin, line);
    case 'DHCID':
    case 'OPENPGPKEY':
      atLeast(f, 1, type, 'base64 data', line);
      unquoted(f, type);
      return base64Of(f, `${type} data`, line);
    case 'NSEC3PARAM':
      expectCount(f, 4, type, 'algorithm, flags, iterations and salt', line);
      unquoted(f, type);
      return new Out()
        .u8(u(0, 255, 'hash algorithm'))
        .u8(u(1, 255, 'flags'))
        .u16(u(2, 65535, 'iterations'))
        .bytes(salt(f[3], line))
        .done();
    case 'NSEC3': {
      atLeast(f, 5, type, 'algorithm, flags, iterations, salt and next hashed owner', line);
      unquoted(f, type);
      const next = base32hex(f[4] as Token, line);
      return new Out()
        .u8(u(0, 255, 'hash algorithm'))
        .u8(u(1, 255, 'flags'))
        .u16(u(2, 65535, 'iterations'))
        .bytes(salt(f[3], line))
        .u8(next.length)
        .bytes(next)
        .bytes(typeBitmap(f.slice(5).map((t) => typeField(t, line))))
        .done();
    }
    case 'CSYNC':
      atLeast(f, 2, type, 'SOA serial and flags', line);
      unquoted(f, type);
      return new Out()
        .u32(u(0, 2 ** 32 - 1, 'SOA serial'))
        .u16(u(1, 65535, 'flags'))
        .bytes(typeBitmap(f.slice(2).map((t) => typeField(t, line))))
        .done();
    case 'ZONEMD':
      atLeast(f, 4, type, 'serial, scheme, hash algorithm and digest', line);
      unquoted(f, type);
      return new Out()
        .u32(u(0, 2 ** 32 - 1, 'serial'))
        .u8(u(1, 255, 'scheme'))
        .u8(u(2, 255, 'hash algorithm'))
        .bytes(hexOf(f.slice(3), 'digest', line))
        .done();
    case 'KEY':
      atLeast(f, 4, type, 'flags, protocol, algorithm and key', line);
      unquoted(f, type);
      return new Out()
        .u16(u(0, 65535, 'KEY flags'))
        .u8(u(1, 255, 'KEY protocol'))
        .u8(algorithm(f[2], line))
        .bytes(base64Of(f.slice(3), 'public key', line))
        .done();
    case 'SIG':
      atLeast(f, 9, type, 'type covered, algorithm, labels, TTL, times, key tag, signer and signature', line);
      unquoted(f, type);
      return Buffer.concat([
        new Out()
          .u16(typeField(f[0], line))
          .u8(algorithm(f[1], line))
          .u8(u(2, 255, 'labels'))
          .u32(parseTtl(f[3] as Token, 'original TTL'))
          .u32(sigTime(f[4], 'expiration', line))
          .u32(sigTime(f[5], 'inception', line))
          .u16(u(6, 65535, 'key tag'))
          .done(),
        n(7),
        base64Of(f.slice(8), 'signature', line),
      ]);
    case 'DLV':
      atLeast(f, 4, type, 'key tag, algorithm, digest type and digest', line);
      unquoted(f, type);
      return new Out()
        .u16(u(0, 65535, 'key tag'))
        .u8(algorithm(f[1], line))
        .u8(u(2, 255, 'digest type'))
        .bytes(hexOf(f.slice(3), 'digest', line))
        .done();
    default:
      return undefined;
  }
}
