/**
 * Giving back the memory of request bodies after a burst (issue #17). A body held while it
 * arrives survives long enough to reach V8's old generation; once let go it is garbage that only
 * a full GC frees, and an idle server runs none for a long time: after the body attack RSS stayed
 * at start + 56 MiB for 15-55 s (V8's memory reducer ran then), while a forced GC brought it back
 * to its start at once. So when at least {@link RECLAIM_AFTER_BYTES} of body reservations were
 * given back, one full GC is asked for (through an in-process inspector session:
 * `HeapProfiler.collectGarbage`, the public way without `--expose-gc`), a moment after the
 * releases settle and at most once per {@link RECLAIM_INTERVAL_MS}. Small bodies never add up to
 * that in a short time, so ordinary traffic is not slowed by it.
 * @module
 */
import { createRequire } from 'node:module';

/** Body bytes given back (reservations) before a full GC is asked for; 0 never asks. */
export const RECLAIM_AFTER_BYTES = 16 * 1024 * 1024;
/** The GC runs this long after the release that reached the threshold (the burst's other connections close meanwhile). */
export const RECLAIM_SETTLE_MS = 250;
/** At most one GC this often, whatever the traffic. */
export const RECLAIM_INTERVAL_MS = 10_000;

type InspectorSession = { connect(): void; disconnect(): void; post(method: string, done: () => void): void };
type InspectorModule = { Session: new () => InspectorSession };

/** `node:inspector`, or undefined in a Node built without it. */
function inspectorModule(): InspectorModule | undefined {
  try {
    return createRequire(import.meta.url)('node:inspector') as InspectorModule;
  } catch {
    return undefined;
  }
}

/** Asks V8 for a full GC; `done` runs after it (also when it cannot be asked). */
export function collectGarbage(done: () => void = () => {}): void {
  const inspector = inspectorModule();
  if (!inspector) {
    done();
    return;
  }
  try {
    const session = new inspector.Session();
    session.connect();
    session.post('HeapProfiler.collectGarbage', () => {
      // Disconnecting inside the callback keeps the process from exiting (Node 20): next tick.
      setImmediate(() => session.disconnect());
      done();
    });
  } catch {
    done();
  }
}

export interface BodyReclaimOptions {
  /** Default {@link RECLAIM_AFTER_BYTES}; 0 never collects. */
  readonly afterBytes?: number;
  readonly settleMs?: number;
  readonly intervalMs?: number;
  /** What collects; default {@link collectGarbage} (tests count calls). */
  readonly collect?: () => void;
}

/** Counts body bytes given back and asks for a GC after a burst (see the module comment). */
export class BodyReclaim {
  readonly #afterBytes: number;
  readonly #settleMs: number;
  readonly #intervalMs: number;
  readonly #collect: () => void;
  #released = 0;
  #lastMs = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: BodyReclaimOptions = {}) {
    this.#afterBytes = options.afterBytes ?? RECLAIM_AFTER_BYTES;
    this.#settleMs = options.settleMs ?? RECLAIM_SETTLE_MS;
    this.#intervalMs = options.intervalMs ?? RECLAIM_INTERVAL_MS;
    this.#collect = options.collect ?? (() => collectGarbage());
  }

  /** `bytes` of body reservations were given back. */
  released(bytes: number): void {
    if (this.#afterBytes <= 0 || bytes <= 0) return;
    this.#released += bytes;
    if (this.#released < this.#afterBytes || this.#timer) return;
    const wait = Math.max(this.#settleMs, this.#lastMs + this.#intervalMs - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#released = 0;
      this.#lastMs = performance.now();
      this.#collect();
    }, wait);
    this.#timer.unref();
  }

  /** Cancels a pending GC (the server is closing). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
