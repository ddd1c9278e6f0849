/**
 * The exchange log: one record per request/response pair, on either side, for every protocol.
 * It is the spine of the product: the console timeline, the JSON log, the test API and the
 * HTTP API all read it. Memory is bounded by a ring buffer.
 * @module
 */
// Imported, not the global: node defines the global `performance` as a lazy getter, a slower
// lookup on paths that read the clock for every record.
import { performance } from 'node:perf_hooks';
import type { ExchangeInput, ExchangeRecord, Protocol } from './exchange-record.js';
import { ExchangeRing } from './exchange-ring.js';
import { EXCHANGE_LOG_CAPACITY, EXCHANGE_TEXT_MAX } from './limits.js';

export {
  type ExchangeInput,
  type ExchangeRecord,
  PROTOCOLS,
  type Protocol,
  type Side,
  type Transport,
} from './exchange-record.js';

export type ExchangeListener = (record: ExchangeRecord) => void;

export interface ExchangeLogOptions {
  /** Records kept in memory; default {@link EXCHANGE_LOG_CAPACITY}. */
  readonly capacity?: number;
}

const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROLS = /[\u0000-\u001f\u007f]+/g;

/** Makes any text one bounded line: CR/LF/control characters become spaces. */
export function oneLine(text: string, max = EXCHANGE_TEXT_MAX): string {
  // Most texts are already one clean line: test before replacing (no new string, no global scan state).
  const flat = (CONTROL.test(text) ? text.replace(CONTROLS, ' ') : text).trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function epochMs(time: string | Date | number | undefined): number {
  if (time === undefined) return Date.now();
  if (typeof time === 'number') return time;
  return typeof time === 'string' ? new Date(time).getTime() : time.getTime();
}

/** Milliseconds since `start` (a `performance.now()` value), rounded to 0.01 ms. */
export function elapsedMs(start: number): number {
  return Math.round((performance.now() - start) * 100) / 100;
}

/** A bounded ring of exchange records with subscribers. */
export class ExchangeLog {
  readonly capacity: number;
  #ring: ExchangeRing;
  #nextId = 1;
  /** The last request and response texts given to {@link add}, and their one-line forms. */
  #lastRequest: [given: string, line: string] = ['', ''];
  #lastResponse: [given: string, line: string] = ['', ''];
  /** The last time given to {@link add} (epoch ms) and its ISO text. */
  #lastMs = Number.NaN;
  #lastIso = '';
  /**
   * Replaced, never changed in place, so a notification runs over the listeners of the moment the
   * record was added (one added meanwhile starts with the next record).
   */
  #listeners: readonly ExchangeListener[] = [];

  constructor(options: ExchangeLogOptions = {}) {
    const capacity = options.capacity ?? EXCHANGE_LOG_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer`);
    this.capacity = capacity;
    this.#ring = new ExchangeRing(capacity);
  }

  /** Records kept now (at most `capacity`). */
  get size(): number {
    return this.#ring.size;
  }

  /** Records ever added, including those the ring has dropped. */
  get total(): number {
    return this.#nextId - 1;
  }

  /** Adds a record, notifies subscribers, returns the record (later reads rebuild equal copies). */
  add(input: ExchangeInput): ExchangeRecord {
    const time = this.#isoTime(epochMs(input.time));
    const record: ExchangeRecord = {
      id: this.#nextId++,
      time,
      protocol: input.protocol,
      side: input.side,
      transport: input.transport,
      session: input.session,
      peer: input.peer,
      request: this.#oneLine(this.#lastRequest, input.request),
      response: this.#oneLine(this.#lastResponse, input.response),
      ok: input.ok,
      bytesIn: input.bytesIn,
      bytesOut: input.bytesOut,
      durationMs: input.durationMs,
    };
    // Only changed exchanges carry the field (the others keep one object shape).
    if (input.fault !== undefined) (record as { fault?: string }).fault = oneLine(input.fault);
    this.#ring.push(record);
    const listeners = this.#listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        (listeners[i] as ExchangeListener)(record);
      } catch {
        // A broken subscriber must not break the server that produced the record.
      }
    }
    return record;
  }

  /** ISO 8601 of an epoch-milliseconds time. Busy servers add many records per millisecond: the last string is reused. */
  #isoTime(ms: number): string {
    if (ms !== this.#lastMs) {
      // Throws RangeError for an invalid time, as Date#toISOString does.
      this.#lastIso = new Date(ms).toISOString();
      this.#lastMs = ms;
    }
    return this.#lastIso;
  }

  /**
   * {@link oneLine} of `text`, reusing the last result when `text` is the same: a busy server
   * records the same request and response again and again, and checking for control characters
   * is a regular-expression scan per text.
   */
  #oneLine(last: [string, string], text: string): string {
    if (text !== last[0]) {
      last[1] = oneLine(text);
      last[0] = text;
    }
    return last[1];
  }

  /** All kept records, oldest first (rebuilt from the ring: equal to, not the same objects as, those added). */
  toArray(): ExchangeRecord[] {
    const ring = this.#ring;
    const out: ExchangeRecord[] = [];
    for (let n = 0; n < ring.size; n++) out.push(ring.at(n));
    return out;
  }

  /** The last `limit` records (optionally of one protocol), oldest first. */
  recent(filter: { protocol?: Protocol | undefined; limit?: number | undefined } = {}): ExchangeRecord[] {
    const ring = this.#ring;
    const limit = filter.limit ?? this.capacity;
    const out: ExchangeRecord[] = [];
    for (let n = ring.size - 1; n >= 0 && out.length < limit; n--)
      if (filter.protocol === undefined || ring.protocolAt(n) === filter.protocol) out.push(ring.at(n));
    return out.reverse();
  }

  /** Calls `listener` for every future record; returns the unsubscribe function. */
  subscribe(listener: ExchangeListener): () => void {
    // The same function twice is one subscription, as with a Set.
    if (!this.#listeners.includes(listener)) this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** Forgets every kept record (ids keep counting). */
  clear(): void {
    this.#ring.clear();
  }
}
