/**
 * The pieces of RFC 1035 §5 master-file syntax that record data is made of: tokens, names
 * (relative, absolute, `@`, `\.` and `\DDD` escapes: RFC 1035 §5.1, RFC 4343 §2.1),
 * character-strings, numbers and TTLs. Errors are {@link Fail}s carrying the line.
 * @module
 */
import { asciiLower, escapeLabel, MAX_LABEL_LENGTH, MAX_NAME_WIRE_LENGTH, splitName, wireLength } from './names.js';

/** Largest TTL, RFC 2181 §8. */
export const MAX_TTL = 2 ** 31 - 1;
/** Longest character-string, RFC 1035 §3.3. */
export const MAX_STRING_BYTES = 255;

export interface Token {
  readonly text: string;
  readonly quoted: boolean;
  readonly line: number;
}

/** A syntax error at a line; zone-file.ts turns it into a ZoneFileError. */
export class Fail extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** Decodes `\X` and `\DDD` escapes into bytes (UTF-8 for plain text). */
export function decodeBytes(token: Token): Buffer {
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

/**
 * Parses a name token relative to `origin` into a key (see names.ts). `\.` and `\\` stay inside
 * their label, `\DDD` is any byte (RFC 1035 §5.1); plain text must be printable ASCII.
 */
export function parseName(token: Token, origin: string | undefined): string {
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
        const value = Number(digits[0]);
        if (value > 255) throw new Fail(line, `escape \\${digits[0]} in '${text}' is not a byte (000-255)`);
        c = String.fromCharCode(value);
        i += 3;
      } else if (i + 1 < text.length) c = text[++i] as string;
      else throw new Fail(line, `a lone backslash at the end of '${text}'`);
    } else if (c === '.') {
      if (label === '') throw new Fail(line, `empty label in name '${text}'`);
      labels.push(label);
      label = '';
      if (i === text.length - 1) absolute = true;
      continue;
    } else if (c.charCodeAt(0) < 33)
      throw new Fail(line, `character ${JSON.stringify(c)} in name '${text}' (write it as \\DDD)`);
    else if (c.charCodeAt(0) > 126) {
      // Non-ASCII text goes on the wire as its UTF-8 bytes, as NSD loads it (punycode, xn--, is what resolvers expect).
      const code = text.codePointAt(i) as number;
      const char = String.fromCodePoint(code);
      i += char.length - 1;
      label += Buffer.from(char, 'utf8').toString('latin1');
      continue;
    }
    label += c;
  }
  if (!absolute) {
    if (label === '') throw new Fail(line, `empty label in name '${text}'`);
    labels.push(label);
  }
  for (const l of labels)
    if (l.length > MAX_LABEL_LENGTH)
      throw new Fail(line, `label '${l.slice(0, 20)}…' is ${l.length} characters long (limit ${MAX_LABEL_LENGTH})`);
  let key = asciiLower(labels.map(escapeLabel).join('.'));
  if (!absolute) {
    if (origin === undefined) throw new Fail(line, `relative name '${text}' but no $ORIGIN is set`);
    key = origin === '' ? key : `${key}.${origin}`;
  }
  if (wireLength(splitName(key)) > MAX_NAME_WIRE_LENGTH)
    throw new Fail(line, `name '${text}' is longer than ${MAX_NAME_WIRE_LENGTH} bytes`);
  return key;
}

const TTL_RE = /^(\d+|(\d+[wdhms])+)$/i;
const UNIT_SECONDS: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };

export function isTtl(token: Token): boolean {
  return !token.quoted && TTL_RE.test(token.text);
}

/** A TTL in seconds; BIND's units (1h30m, 2d) are accepted too. */
export function parseTtl(token: Token, what = 'TTL'): number {
  if (!isTtl(token)) throw new Fail(token.line, `${what} '${token.text}' is not a number of seconds`);
  let seconds = 0;
  if (/^\d+$/.test(token.text)) seconds = Number(token.text);
  else
    for (const m of token.text.matchAll(/(\d+)([wdhms])/gi))
      seconds += Number(m[1]) * (UNIT_SECONDS[(m[2] as string).toLowerCase()] ?? 0);
  if (seconds > MAX_TTL) throw new Fail(token.line, `${what} ${token.text} is larger than ${MAX_TTL}`);
  return seconds;
}

export function parseUint(token: Token | undefined, max: number, what: string, line: number): number {
  if (!token) throw new Fail(line, `${what} is missing`);
  if (token.quoted || !/^\d+$/.test(token.text) || Number(token.text) > max)
    throw new Fail(token.line, `${what} '${token.text}' is not a number 0-${max}`);
  return Number(token.text);
}

/** A character-string (RFC 1035 §3.3): quoted or not, escapes decoded, at most 255 bytes. */
export function characterString(token: Token): Buffer {
  const bytes = decodeBytes(token);
  if (bytes.length > MAX_STRING_BYTES)
    throw new Fail(token.line, `string of ${bytes.length} bytes is longer than ${MAX_STRING_BYTES}`);
  return bytes;
}
