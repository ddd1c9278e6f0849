/**
 * Console forms of an exchange record: the pretty timeline line and JSON lines (SPEC.md).
 * @module
 */
import type { Writable } from 'node:stream';
import type { ExchangeLog, ExchangeRecord } from './exchange.js';

export type LogFormat = 'pretty' | 'json';

const SPACES = ' '.repeat(32);

function pad(text: string, width: number): string {
  const missing = width - text.length;
  return missing <= 0 ? text : text + (missing <= SPACES.length ? SPACES.slice(0, missing) : ' '.repeat(missing));
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Local "HH:MM:SS.mmm" of an ISO time. */
function clockOf(iso: string): string {
  const d = new Date(iso);
  const ms = d.getMilliseconds();
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}`;
}

/**
 * {@link clockOf} with a memo of the last time, one per formatter (a console's lines). The records
 * of one millisecond share their ISO time, and a busy server makes many per millisecond: the memo
 * saves parsing the time into a Date and building the text again for each of them.
 */
class LocalClock {
  #iso = '';
  #text = '';

  of(iso: string): string {
    if (iso !== this.#iso) {
      this.#text = clockOf(iso);
      this.#iso = iso;
    }
    return this.#text;
  }
}

/** "13 B", "4.2 KiB", "1.5 MiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** A duration under 10 ms in the tenths of a millisecond it is printed with, else undefined. */
function shownTenths(ms: number): number | undefined {
  return ms >= 0 && ms < 9.95 ? Math.round(ms * 10) : undefined;
}

function duration(ms: number): string {
  const tenths = shownTenths(ms);
  // toFixed(1) by integer arithmetic: this runs once per record.
  if (tenths !== undefined) return `${(tenths / 10) | 0}.${tenths % 10} ms`;
  return ms < 10 ? `${ms.toFixed(1)} ms` : ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The columns from protocol to request, padded. */
function leftColumns(record: ExchangeRecord): string {
  return `${pad(record.protocol, 4)}  ${pad(record.side, 6)}  ${pad(record.peer, 15)}  ${pad(record.request, 24)}`;
}

/** Duration and bytes, the columns after the response. */
function tail(record: ExchangeRecord): string {
  const bytes = record.bytesIn + record.bytesOut;
  return bytes > 0 ? `  ${duration(record.durationMs)}  ${formatBytes(bytes)}` : `  ${duration(record.durationMs)}`;
}

/**
 * One timeline line:
 * `11:42:08.020  ftp   server  127.0.0.1:40022  RETR hello.txt           → 226 Transfer complete   2.1 ms  13 B`
 */
export function formatPretty(record: ExchangeRecord, options: { readonly color?: boolean } = {}): string {
  return prettyLine(record, options.color === true, clockOf(record.time));
}

/** {@link formatPretty} with the clock text given (a formatter's memo made it). */
function prettyLine(record: ExchangeRecord, color: boolean, clock: string): string {
  const plain = `${clock}  ${leftColumns(record)} → ${pad(record.response, 22)}${tail(record)}`;
  const line = record.fault === undefined ? plain : `${plain}  [fault ${record.fault}]`;
  return color && !record.ok ? `${FAILED}${line}${RESET}` : line;
}

/** SGR red and reset (ECMA-48): a failed exchange stands out in a terminal's timeline. */
const FAILED = '\x1b[31m';
const RESET = '\x1b[0m';

/**
 * Whether a timeline written to `stream` should be coloured: only on a terminal, and never when
 * `NO_COLOR` is set to anything non-empty (https://no-color.org), so pipes and log files stay plain.
 */
export function colorFor(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env['NO_COLOR'];
}

const NON_ASCII = /[^\u0000-\u007f]/;

/** `text`'s UTF-8 bytes, one latin1 character per byte (ASCII text is its own encoding). */
function utf8Bytes(text: string): string {
  return NON_ASCII.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text;
}

const ARROW_BYTES = utf8Bytes(' → ');

/** Sessions whose last columns {@link PrettyBytes} remembers (it starts over when full). */
const REMEMBERED_SESSIONS = 1_024;

interface Columns {
  readonly protocol: string;
  readonly side: string;
  readonly peer: string;
  readonly request: string;
  readonly response: string;
  /** The columns from protocol to response, as UTF-8 bytes. */
  readonly bytes: string;
}

/**
 * Timeline lines as latin1 strings of their UTF-8 bytes, for {@link attachConsole}'s batches.
 * The arrow makes a JS string two-byte, and such a batch costs twice the memory and a slow UTF-8
 * encoding on every write; as bytes in a one-byte string the batch becomes a Buffer by a plain
 * copy. A connection mostly repeats its last request and response (a client fetching the same
 * file): the columns between the clock and the duration are kept per session and reused while
 * the record's texts stay the same.
 */
class PrettyBytes {
  readonly #color: boolean;
  readonly #clock = new LocalClock();
  #bySession = new Map<string, Columns>();

  constructor(color: boolean) {
    this.#color = color;
  }
  /** The last end of line: duration (in tenths of a millisecond), bytes, and the text. */
  #tenths = -1;
  #bytes = -1;
  #end = '';

  /** One line, newline included. */
  line(record: ExchangeRecord): string {
    // A changed exchange is rare: its line is made in full.
    if (record.fault !== undefined)
      return `${utf8Bytes(prettyLine(record, this.#color, this.#clock.of(record.time)))}\n`;
    let c = this.#bySession.get(record.session);
    if (
      c === undefined ||
      c.request !== record.request ||
      c.response !== record.response ||
      c.peer !== record.peer ||
      c.protocol !== record.protocol ||
      c.side !== record.side
    ) {
      const { protocol, side, peer, request, response } = record;
      // Padding counts characters, as formatPretty does; the encoding comes after it.
      const bytes = `${utf8Bytes(leftColumns(record))}${ARROW_BYTES}${utf8Bytes(pad(response, 22))}`;
      c = { protocol, side, peer, request, response, bytes };
      if (this.#bySession.size >= REMEMBERED_SESSIONS) this.#bySession.clear();
      this.#bySession.set(record.session, c);
    }
    if (this.#color && !record.ok)
      return `${FAILED}${this.#clock.of(record.time)}  ${c.bytes}${this.#lineEnd(record).slice(0, -1)}${RESET}\n`;
    return `${this.#clock.of(record.time)}  ${c.bytes}${this.#lineEnd(record)}`;
  }

  /**
   * {@link tail} and the newline. Quick exchanges show the same duration ("0.1 ms") and often the
   * same bytes again and again: the last text is reused while both are the same.
   */
  #lineEnd(record: ExchangeRecord): string {
    const tenths = shownTenths(record.durationMs);
    if (tenths === undefined) return `${tail(record)}\n`;
    const bytes = record.bytesIn + record.bytesOut;
    if (tenths !== this.#tenths || bytes !== this.#bytes) {
      this.#tenths = tenths;
      this.#bytes = bytes;
      this.#end = `${tail(record)}\n`;
    }
    return this.#end;
  }
}

/** One JSON line (no trailing newline). */
export function formatJson(record: ExchangeRecord): string {
  return JSON.stringify(record);
}

export interface ConsoleOptions {
  /**
   * Collect the lines of one event-loop turn and write them at once (one write call instead of
   * one per record: a busy server makes many records per turn). Lines still appear within the
   * turn they were made in; detaching flushes. Default false.
   */
  readonly batch?: boolean;
  /** Pretty format only: failed exchanges in red (see {@link colorFor}). Default false. */
  readonly color?: boolean;
}

/** Writes every future record of `log` to `stream` in `format`; returns the detach function. */
export function attachConsole(
  log: ExchangeLog,
  stream: Writable,
  format: LogFormat,
  options: ConsoleOptions = {},
): () => void {
  const color = options.color === true && format === 'pretty';
  const clock = new LocalClock();
  const fmt =
    format === 'json' ? formatJson : (record: ExchangeRecord) => prettyLine(record, color, clock.of(record.time));
  if (!options.batch) {
    return log.subscribe((record) => {
      stream.write(`${fmt(record)}\n`);
    });
  }
  // Records wait as they are; they are formatted together when the turn's batch is written.
  const pending: ExchangeRecord[] = [];
  const pretty = format === 'pretty' ? new PrettyBytes(color) : undefined;
  const line = pretty
    ? (record: ExchangeRecord) => pretty.line(record)
    : (record: ExchangeRecord) => `${fmt(record)}\n`;
  let scheduled: NodeJS.Immediate | undefined;
  const flush = () => {
    scheduled = undefined;
    if (pending.length === 0) return;
    let text = '';
    for (const record of pending) text += line(record);
    pending.length = 0;
    // Pretty lines are already UTF-8 bytes (see PrettyBytes).
    stream.write(pretty ? Buffer.from(text, 'latin1') : text);
  };
  const unsubscribe = log.subscribe((record) => {
    pending.push(record);
    scheduled ??= setImmediate(flush);
  });
  return () => {
    unsubscribe();
    if (scheduled) clearImmediate(scheduled);
    flush();
  };
}
