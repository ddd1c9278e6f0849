/**
 * RFC 1035 §5 master-file parser: `$ORIGIN`, `$TTL` (RFC 2308 §4), `@`, blank owner = previous
 * owner, parentheses spanning lines, `;` comments, quoted strings with `\X` and `\DDD` escapes,
 * relative and absolute names, TTL and class in either order and optional, `$INCLUDE file [origin]`. Every error is a
 * {@link ZoneFileError}: `file:line: what is wrong`.
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../shared/errors.js';
import { parseRdata } from './rdata-parse.js';
import { typeCode, type ZoneRecord } from './records.js';
import { Zone } from './zone.js';
import { Fail, isTtl, parseName, parseTtl, type Token } from './zone-syntax.js';

export { MAX_STRING_BYTES, MAX_TTL } from './zone-syntax.js';

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
  /** Reads an `$INCLUDE`d file named in `from`; default: from disk, relative to `from`'s folder. */
  readonly readInclude?: (name: string, from: string) => { file: string; text: string };
}

/** One parsed record, the line it started on and its file (another one after `$INCLUDE`). */
export interface ParsedRecord {
  readonly record: ZoneRecord;
  readonly line: number;
  readonly file: string;
}

interface Entry {
  readonly line: number;
  /** The entry started with white space: the owner is the previous one (RFC 1035 §5.1). */
  readonly blankOwner: boolean;
  readonly tokens: Token[];
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

const CLASSES = new Set(['IN', 'CH', 'CS', 'HS']);

/** `$INCLUDE` files open inside one another at most this deep (NSD's limit too). */
export const MAX_INCLUDE_DEPTH = 10;

/** What carries over from one entry to the next, across `$INCLUDE`d files too (as in NSD). */
interface ParseState {
  origin: string | undefined;
  defaultTtl: number | undefined;
  lastTtl: number | undefined;
  lastOwner: string | undefined;
  readonly out: ParsedRecord[];
  readonly options: ZoneParseOptions;
}

/** Parses records (no zone checks); throws {@link ZoneFileError}. */
export function parseRecords(text: string, options: ZoneParseOptions = {}): ParsedRecord[] {
  const state: ParseState = {
    origin: options.origin,
    defaultTtl: undefined,
    lastTtl: undefined,
    lastOwner: undefined,
    out: [],
    options,
  };
  parseFile(text, options.file ?? 'zone', state, 0);
  return state.out;
}

function parseFile(text: string, file: string, state: ParseState, depth: number): void {
  try {
    parseEntries(tokenize(text), file, state, depth);
  } catch (err) {
    if (err instanceof Fail) throw new ZoneFileError(file, err.line, err.message);
    throw err;
  }
}

/**
 * RFC 1035 §5.1 `$INCLUDE file [origin]`: the file is read relative to the including file's
 * folder (NSD reads it relative to its zonesdir, where its zone files are); the origin given
 * must be absolute (as NSD asks), and the including file's origin comes back after it.
 */
function include(entry: Entry, args: Token[], file: string, state: ParseState, depth: number): void {
  const target = args[0];
  if (!target || target.quoted) throw new Fail(entry.line, '$INCLUDE needs a file name');
  if (args.length > 2) throw new Fail(entry.line, '$INCLUDE takes a file name and at most an origin');
  const origin = args[1];
  if (origin && !origin.text.endsWith('.'))
    throw new Fail(entry.line, `$INCLUDE origin '${origin.text}' must be an absolute name (ending in '.')`);
  if (depth >= MAX_INCLUDE_DEPTH) throw new Fail(entry.line, `$INCLUDE nested more than ${MAX_INCLUDE_DEPTH} deep`);
  const read = state.options.readInclude ?? readIncludeFile;
  let included: { file: string; text: string };
  try {
    included = read(target.text, file);
  } catch (err) {
    throw new Fail(entry.line, `cannot read $INCLUDE file '${target.text}': ${(err as Error).message}`);
  }
  const saved = state.origin;
  if (origin) state.origin = parseName(origin, state.origin);
  parseFile(included.text, included.file, state, depth + 1);
  state.origin = saved;
}

/** The default $INCLUDE reader: the name relative to the including file's folder. */
function readIncludeFile(name: string, from: string): { file: string; text: string } {
  const file = path.resolve(path.dirname(from), name);
  return { file, text: fs.readFileSync(file, 'utf8') };
}

function parseEntries(entries: Entry[], file: string, state: ParseState, depth: number): void {
  const { out, options } = state;
  for (const entry of entries) {
    const tokens = entry.tokens;
    const first = tokens[0] as Token;
    if (!entry.blankOwner && !first.quoted && first.text.startsWith('$')) {
      const directive = first.text.toUpperCase();
      const args = tokens.slice(1);
      if (directive === '$ORIGIN') {
        if (args.length !== 1) throw new Fail(entry.line, '$ORIGIN needs exactly one name');
        // NSD refuses a relative $ORIGIN (BIND would append the current one): so do we.
        const name = args[0] as Token;
        if (!name.text.endsWith('.') || name.text.endsWith('\\.'))
          throw new Fail(entry.line, `$ORIGIN '${name.text}' must be an absolute name (ending in '.')`);
        state.origin = parseName(name, state.origin);
      } else if (directive === '$TTL') {
        if (args.length !== 1) throw new Fail(entry.line, '$TTL needs exactly one TTL');
        state.defaultTtl = parseTtl(args[0] as Token);
      } else if (directive === '$INCLUDE') include(entry, args, file, state, depth);
      else throw new Fail(entry.line, `unknown directive ${first.text}`);
      continue;
    }
    const origin = state.origin;
    let i = 0;
    let owner: string;
    if (entry.blankOwner) {
      if (state.lastOwner === undefined)
        throw new Fail(entry.line, 'no owner name, and no previous record to take it from');
      owner = state.lastOwner;
    } else {
      owner = parseName(first, origin);
      i = 1;
    }
    state.lastOwner = owner;
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
    const code = typeToken.quoted ? undefined : typeCode(typeToken.text);
    if (code === undefined)
      throw new Fail(entry.line, `unknown record type '${typeToken.text}' (RFC 3597 form: TYPE123 \\# <length> <hex>)`);
    // Meta and query-only types cannot be stored (RFC 6895 §3.1).
    if (code === 41 || (code >= 128 && code <= 255) || code === 0)
      throw new Fail(entry.line, `${typeToken.text} is a query or meta type, not data`);
    if (ttl !== undefined) state.lastTtl = ttl;
    const effectiveTtl = ttl ?? state.defaultTtl ?? state.lastTtl ?? options.defaultTtl;
    if (effectiveTtl === undefined) throw new Fail(entry.line, 'no TTL: give one on the record or set $TTL first');
    const record = parseRdata(owner, effectiveTtl, code, tokens.slice(i + 1), origin, entry.line);
    out.push({ record, line: entry.line, file });
  }
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
  if (second)
    throw new ZoneFileError(second.file, second.line, `a second SOA record (the first is on line ${soa.line})`);
  const zone = new Zone(soa.record.name);
  for (const p of parsed) {
    try {
      zone.add(p.record);
    } catch (err) {
      throw new ZoneFileError(p.file, p.line, (err as Error).message);
    }
  }
  return zone;
}
