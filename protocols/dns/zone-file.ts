/**
 * RFC 1035 §5 master-file parser: `$ORIGIN`, `$TTL` (RFC 2308 §4), `@`, blank owner = previous
 * owner, parentheses spanning lines, `;` comments, quoted strings with `\X` and `\DDD` escapes,
 * relative and absolute names, TTL and class in either order and optional. Every error is a
 * {@link ZoneFileError}: `file:line: what is wrong`.
 * @module
 */
import net from 'node:net';
import { ConfigError } from '../../shared/errors.js';
import { asciiLower, MAX_LABEL_LENGTH, MAX_NAME_WIRE_LENGTH, wireLength } from './names.js';
import { TYPE_CODES, ZONE_TYPES, type ZoneRecord, type ZoneType } from './records.js';
import { Zone } from './zone.js';

/** Largest TTL, RFC 2181 §8. */
export const MAX_TTL = 2 ** 31 - 1;
/** Longest character-string, RFC 1035 §3.3. */
export const MAX_STRING_BYTES = 255;

/** A zone file is wrong; the message is `file:line: what is wrong`. */
export class ZoneFileError extends ConfigError {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}`, message);
    this.file = file;
    this.line = line;
  }
}

export interface ZoneParseOptions {
  /** Name used in errors; default "zone". */
  readonly file?: string;
  /** Origin before any `$ORIGIN` (a name key, '' = root); default none: relative names are errors. */
  readonly origin?: string;
  /** TTL when neither the record nor `$TTL` gives one; default none: that is an error. */
  readonly defaultTtl?: number;
}

/** One parsed record and the line it started on. */
export interface ParsedRecord {
  readonly record: ZoneRecord;
  readonly line: number;
}

interface Token {
  readonly text: string;
  readonly quoted: boolean;
  readonly line: number;
}
interface Entry {
  readonly line: number;
  /** The entry started with white space: the owner is the previous one (RFC 1035 §5.1). */
  readonly blankOwner: boolean;
  readonly tokens: Token[];
}

class Fail extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const BREAK = new Set([' ', '\t', '\r', '\n', ';', '(', ')', '"']);

/** Splits a file into entries (a line, or several joined by parentheses) of tokens. */
function tokenize(text: string): Entry[] {
  const entries: Entry[] = [];
  let line = 1;
  let depth = 0;
  let openedAt = 0;
  let entry: Entry | undefined;
  let atLineStart = true;
  const finish = () => {
    if (entry && entry.tokens.length > 0) entries.push(entry);
    entry = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (atLineStart) {
      atLineStart = false;
      if (depth === 0) entry = { line, blankOwner: c === ' ' || c === '\t', tokens: [] };
    }
    if (c === '\n') {
      if (depth === 0) finish();
      line++;
      atLineStart = true;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      // separator
    } else if (c === ';') {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (c === '(') {
      if (depth === 0) openedAt = line;
      depth++;
    } else if (c === ')') {
      if (depth === 0) throw new Fail(line, "')' without a matching '('");
      depth--;
    } else if (c === '"') {
      let raw = '';
      let closed = false;
      for (i++; i < text.length; i++) {
        const d = text[i] as string;
        if (d === '\\' && i + 1 < text.length) {
          raw += d + text[++i];
          if (text[i] === '\n') line++;
        } else if (d === '"') {
          closed = true;
          break;
        } else if (d === '\n') break;
        else raw += d;
      }
      if (!closed) throw new Fail(line, 'quoted string not closed on its line');
      entry?.tokens.push({ text: raw, quoted: true, line });
    } else {
      let raw = '';
      for (; i < text.length; i++) {
        const d = text[i] as string;
        if (d === '\\' && i + 1 < text.length && text[i + 1] !== '\n') raw += d + text[++i];
        else if (BREAK.has(d)) break;
        else raw += d;
      }
      i--;
      entry?.tokens.push({ text: raw, quoted: false, line });
    }
  }
  if (depth > 0) throw new Fail(openedAt, "'(' is never closed");
  finish();
  return entries;
}

/** Decodes `\X` and `\DDD` escapes into bytes (UTF-8 for plain text). */
function decodeBytes(token: Token): Buffer {
  const raw = token.text;
  if (!raw.includes('\\')) return Buffer.from(raw, 'utf8');
  const parts: Buffer[] = [];
  let plain = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c !== '\\') {
      plain += c;
      continue;
    }
    const digits = /^\d{3}/.exec(raw.slice(i + 1, i + 4));
    parts.push(Buffer.from(plain, 'utf8'));
    plain = '';
    if (digits) {
      const value = Number(digits[0]);
      if (value > 255) throw new Fail(token.line, `escape \\${digits[0]} is not a byte (000-255)`);
      parts.push(Buffer.from([value]));
      i += 3;
    } else if (i + 1 < raw.length) parts.push(Buffer.from(raw[++i] as string, 'utf8'));
    else throw new Fail(token.line, 'a lone backslash at the end of a string');
  }
  parts.push(Buffer.from(plain, 'utf8'));
  return Buffer.concat(parts);
}

/** Parses a name token relative to `origin` into a key (see names.ts). */
function parseName(token: Token, origin: string | undefined): string {
  const { text, line } = token;
  if (token.quoted) throw new Fail(line, `a name cannot be quoted ("${text}")`);
  if (text === '@') {
    if (origin === undefined) throw new Fail(line, "'@' used but no $ORIGIN is set");
    return origin;
  }
  if (text === '.') return '';
  const labels: string[] = [];
  let label = '';
  let absolute = false;
  for (let i = 0; i < text.length; i++) {
    let c = text[i] as string;
    if (c === '\\') {
      const digits = /^\d{3}/.exec(text.slice(i + 1, i + 4));
      if (digits) {
        c = String.fromCharCode(Number(digits[0]));
        i += 3;
      } else c = text[++i] ?? '';
      if (c === '.' || c === '\\')
        throw new Fail(line, `an escaped '${c}' inside a label is not supported ('${text}')`);
    } else if (c === '.') {
      if (label === '') throw new Fail(line, `empty label in name '${text}'`);
      labels.push(label);
      label = '';
      if (i === text.length - 1) absolute = true;
      continue;
    }
    if (c.charCodeAt(0) > 126 || c.charCodeAt(0) < 33)
      throw new Fail(line, `character ${JSON.stringify(c)} in name '${text}' (use punycode, xn--, for non-ASCII)`);
    label += c;
  }
  if (!absolute) labels.push(label);
  for (const l of labels)
    if (l.length > MAX_LABEL_LENGTH)
      throw new Fail(line, `label '${l.slice(0, 20)}…' is ${l.length} characters long (limit ${MAX_LABEL_LENGTH})`);
  let key = asciiLower(labels.join('.'));
  if (!absolute) {
    if (origin === undefined) throw new Fail(line, `relative name '${text}' but no $ORIGIN is set`);
    key = origin === '' ? key : `${key}.${origin}`;
  }
  if (wireLength(key.split('.')) > MAX_NAME_WIRE_LENGTH)
    throw new Fail(line, `name '${text}' is longer than ${MAX_NAME_WIRE_LENGTH} bytes`);
  return key;
}

const TTL_RE = /^(\d+|(\d+[wdhms])+)$/i;
const UNIT_SECONDS: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };

function isTtl(token: Token): boolean {
  return !token.quoted && TTL_RE.test(token.text);
}

/** A TTL in seconds; BIND's units (1h30m, 2d) are accepted too. */
function parseTtl(token: Token, what = 'TTL'): number {
  if (!isTtl(token)) throw new Fail(token.line, `${what} '${token.text}' is not a number of seconds`);
  let seconds = 0;
  if (/^\d+$/.test(token.text)) seconds = Number(token.text);
  else
    for (const m of token.text.matchAll(/(\d+)([wdhms])/gi))
      seconds += Number(m[1]) * (UNIT_SECONDS[(m[2] as string).toLowerCase()] ?? 0);
  if (seconds > MAX_TTL) throw new Fail(token.line, `${what} ${token.text} is larger than ${MAX_TTL}`);
  return seconds;
}

function parseUint(token: Token, max: number, what: string): number {
  if (token.quoted || !/^\d+$/.test(token.text) || Number(token.text) > max)
    throw new Fail(token.line, `${what} '${token.text}' is not a number 0-${max}`);
  return Number(token.text);
}

function expectCount(fields: Token[], n: number, type: string, what: string, line: number): void {
  if (fields.length !== n)
    throw new Fail(line, `${type} needs ${n} field${n === 1 ? '' : 's'} (${what}), got ${fields.length}`);
}

function characterString(token: Token): Buffer {
  const bytes = decodeBytes(token);
  if (bytes.length > MAX_STRING_BYTES)
    throw new Fail(token.line, `string of ${bytes.length} bytes is longer than ${MAX_STRING_BYTES}`);
  return bytes;
}

/** Parses the RDATA fields of one record. */
function parseRdata(name: string, ttl: number, type: ZoneType, f: Token[], origin: string | undefined, line: number) {
  const n = (i: number) => parseName(f[i] as Token, origin);
  const plain = f.find((t) => t.quoted && type !== 'TXT' && type !== 'CAA');
  if (plain) throw new Fail(plain.line, `unexpected quoted string "${plain.text}" in ${type} data`);
  switch (type) {
    case 'A': {
      expectCount(f, 1, type, 'an IPv4 address', line);
      const text = (f[0] as Token).text;
      if (!net.isIPv4(text)) throw new Fail(line, `'${text}' is not an IPv4 address`);
      return { name, ttl, type, data: text } as const;
    }
    case 'AAAA': {
      expectCount(f, 1, type, 'an IPv6 address', line);
      const text = (f[0] as Token).text;
      if (!net.isIPv6(text)) throw new Fail(line, `'${text}' is not an IPv6 address`);
      return { name, ttl, type, data: text } as const;
    }
    case 'NS':
    case 'CNAME':
    case 'PTR':
      expectCount(f, 1, type, 'a domain name', line);
      return { name, ttl, type, data: n(0) } as const;
    case 'MX':
      expectCount(f, 2, type, 'preference and exchange', line);
      return {
        name,
        ttl,
        type,
        data: { preference: parseUint(f[0] as Token, 65535, 'MX preference'), exchange: n(1) },
      } as const;
    case 'SRV':
      expectCount(f, 4, type, 'priority, weight, port and target', line);
      return {
        name,
        ttl,
        type,
        data: {
          priority: parseUint(f[0] as Token, 65535, 'SRV priority'),
          weight: parseUint(f[1] as Token, 65535, 'SRV weight'),
          port: parseUint(f[2] as Token, 65535, 'SRV port'),
          target: n(3),
        },
      } as const;
    case 'SOA':
      expectCount(f, 7, type, 'mname, rname, serial, refresh, retry, expire and minimum', line);
      return {
        name,
        ttl,
        type,
        data: {
          mname: n(0),
          rname: n(1),
          serial: parseUint(f[2] as Token, 2 ** 32 - 1, 'SOA serial'),
          refresh: parseTtl(f[3] as Token, 'SOA refresh'),
          retry: parseTtl(f[4] as Token, 'SOA retry'),
          expire: parseTtl(f[5] as Token, 'SOA expire'),
          minimum: parseTtl(f[6] as Token, 'SOA minimum'),
        },
      } as const;
    case 'TXT': {
      if (f.length === 0) throw new Fail(line, 'TXT needs at least one string');
      const strings = f.map(characterString);
      const size = strings.reduce((sum, s) => sum + s.length + 1, 0);
      if (size > 65_535) throw new Fail(line, `TXT data of ${size} bytes is longer than 65535`);
      return { name, ttl, type, data: strings } as const;
    }
    case 'CAA': {
      expectCount(f, 3, type, 'flags, tag and value', line);
      const tag = (f[1] as Token).text;
      // RFC 8659 §4.1: the tag is 1-15 ASCII letters and digits.
      if ((f[1] as Token).quoted || !/^[a-z0-9]{1,15}$/i.test(tag))
        throw new Fail(line, `CAA tag '${tag}' must be 1-15 letters and digits`);
      const value = decodeBytes(f[2] as Token).toString('utf8');
      return { name, ttl, type, data: { flags: parseUint(f[0] as Token, 255, 'CAA flags'), tag, value } } as const;
    }
  }
}

const CLASSES = new Set(['IN', 'CH', 'CS', 'HS']);

/** Parses records (no zone checks); throws {@link ZoneFileError}. */
export function parseRecords(text: string, options: ZoneParseOptions = {}): ParsedRecord[] {
  const file = options.file ?? 'zone';
  try {
    return parseEntries(tokenize(text), options);
  } catch (err) {
    if (err instanceof Fail) throw new ZoneFileError(file, err.line, err.message);
    throw err;
  }
}

function parseEntries(entries: Entry[], options: ZoneParseOptions): ParsedRecord[] {
  let origin = options.origin;
  let defaultTtl: number | undefined;
  let lastTtl: number | undefined;
  let lastOwner: string | undefined;
  const out: ParsedRecord[] = [];
  for (const entry of entries) {
    const tokens = entry.tokens;
    const first = tokens[0] as Token;
    if (!entry.blankOwner && !first.quoted && first.text.startsWith('$')) {
      const directive = first.text.toUpperCase();
      const args = tokens.slice(1);
      if (directive === '$ORIGIN') {
        if (args.length !== 1) throw new Fail(entry.line, '$ORIGIN needs exactly one name');
        origin = parseName(args[0] as Token, origin);
      } else if (directive === '$TTL') {
        if (args.length !== 1) throw new Fail(entry.line, '$TTL needs exactly one TTL');
        defaultTtl = parseTtl(args[0] as Token);
      } else if (directive === '$INCLUDE') throw new Fail(entry.line, '$INCLUDE is not supported');
      else throw new Fail(entry.line, `unknown directive ${first.text}`);
      continue;
    }
    let i = 0;
    let owner: string;
    if (entry.blankOwner) {
      if (lastOwner === undefined) throw new Fail(entry.line, 'no owner name, and no previous record to take it from');
      owner = lastOwner;
    } else {
      owner = parseName(first, origin);
      i = 1;
    }
    lastOwner = owner;
    let ttl: number | undefined;
    let klass: string | undefined;
    for (let k = 0; k < 2; k++) {
      const t = tokens[i];
      if (!t) break;
      if (ttl === undefined && isTtl(t)) ttl = parseTtl(t);
      else if (klass === undefined && !t.quoted && CLASSES.has(t.text.toUpperCase())) klass = t.text.toUpperCase();
      else break;
      i++;
    }
    if (klass !== undefined && klass !== 'IN') throw new Fail(entry.line, `class ${klass} is not supported (only IN)`);
    const typeToken = tokens[i];
    if (!typeToken) throw new Fail(entry.line, 'missing record type');
    const type = typeToken.text.toUpperCase();
    if (!(ZONE_TYPES as readonly string[]).includes(type)) {
      if (TYPE_CODES[type] !== undefined || /^TYPE\d+$/.test(type))
        throw new Fail(entry.line, `record type ${type} is not supported (supported: ${ZONE_TYPES.join(', ')})`);
      throw new Fail(entry.line, `unknown record type '${typeToken.text}'`);
    }
    if (ttl !== undefined) lastTtl = ttl;
    const effectiveTtl = ttl ?? defaultTtl ?? lastTtl ?? options.defaultTtl;
    if (effectiveTtl === undefined) throw new Fail(entry.line, 'no TTL: give one on the record or set $TTL first');
    const record = parseRdata(owner, effectiveTtl, type as ZoneType, tokens.slice(i + 1), origin, entry.line);
    out.push({ record, line: entry.line });
  }
  return out;
}

/**
 * Parses a whole zone file and builds its {@link Zone}: exactly one SOA, at the apex; every
 * record inside the zone; no CNAME beside other data. The apex is the SOA owner.
 */
export function zoneFromText(text: string, options: ZoneParseOptions = {}): Zone {
  const file = options.file ?? 'zone';
  const parsed = parseRecords(text, options);
  const soas = parsed.filter((p) => p.record.type === 'SOA');
  const soa = soas[0];
  if (!soa) throw new ZoneFileError(file, Math.max(1, parsed.at(-1)?.line ?? 1), 'the zone has no SOA record');
  const second = soas[1];
  if (second) throw new ZoneFileError(file, second.line, `a second SOA record (the first is on line ${soa.line})`);
  const zone = new Zone(soa.record.name);
  for (const p of parsed) {
    try {
      zone.add(p.record);
    } catch (err) {
      throw new ZoneFileError(file, p.line, (err as Error).message);
    }
  }
  return zone;
}
