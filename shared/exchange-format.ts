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

let lastIso = '';
let lastClock = '';

/** Local "HH:MM:SS.mmm" of an ISO time; records of one millisecond share a time, so the last one is reused. */
function clock(iso: string): string {
  if (iso !== lastIso) {
    const d = new Date(iso);
    const ms = d.getMilliseconds();
    lastClock = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}`;
    lastIso = iso;
  }
  return lastClock;
}

/** "13 B", "4.2 KiB", "1.5 MiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function duration(ms: number): string {
  if (ms >= 0 && ms < 9.95) {
    // toFixed(1) by integer arithmetic: this runs once per record.
    const tenths = Math.round(ms * 10);
    return `${(tenths / 10) | 0}.${tenths % 10} ms`;
  }
  return ms < 10 ? `${ms.toFixed(1)} ms` : ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * One timeline line:
 * `11:42:08.020  ftp   server  127.0.0.1:40022  RETR hello.txt           → 226 Transfer complete   2.1 ms  13 B`
 */
export function formatPretty(record: ExchangeRecord): string {
  const bytes = record.bytesIn + record.bytesOut;
  // One template instead of an array join: a busy server formats a line per request.
  const line = `${clock(record.time)}  ${pad(record.protocol, 4)}  ${pad(record.side, 6)}  ${pad(record.peer, 15)}  ${pad(record.request, 24)} → ${pad(record.response, 22)}  ${duration(record.durationMs)}`;
  return bytes > 0 ? `${line}  ${formatBytes(bytes)}` : line;
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
}

/** Writes every future record of `log` to `stream` in `format`; returns the detach function. */
export function attachConsole(
  log: ExchangeLog,
  stream: Writable,
  format: LogFormat,
  options: ConsoleOptions = {},
): () => void {
  const fmt = format === 'json' ? formatJson : formatPretty;
  if (!options.batch) {
    return log.subscribe((record) => {
      stream.write(`${fmt(record)}\n`);
    });
  }
  // Records wait as they are; they are formatted together when the turn's batch is written.
  const pending: ExchangeRecord[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  const flush = () => {
    scheduled = undefined;
    if (pending.length === 0) return;
    let text = '';
    for (const record of pending) text += `${fmt(record)}\n`;
    pending.length = 0;
    stream.write(text);
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
