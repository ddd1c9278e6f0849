/**
 * Answers remembered by the bytes of their query. An answer is a pure function of the query's
 * bytes after the ID, the transport and the zones (responder.ts), so a repeated query can get the
 * previous answer with only its ID patched in. The whole cache is dropped as soon as any zone
 * changes (records added or removed at run time: {@link Zone.version}), and answers holding data
 * read at query time (the built-in zone's SRV ports) are never stored. Bounded in entries and in
 * message size, so random queries (or per-client EDNS cookies) only cost evictions.
 * @module
 */
import type { Zone } from './zone.js';

/** Answers kept; the oldest goes first when full. */
export const ANSWER_CACHE_ENTRIES = 1024;
/** Larger answers are not kept (bounds the memory to ~4 MiB). */
export const MAX_CACHED_MESSAGE = 4096;
/** Longer queries are not looked up (real queries are far shorter; the key is the query itself). */
export const MAX_CACHED_QUERY = 512;

export interface AnswerCacheOptions {
  /** Default {@link ANSWER_CACHE_ENTRIES}. */
  readonly entries?: number;
}

/** Sum of the zones' versions: versions only grow, so any change changes the sum. */
function stampOf(zones: readonly Zone[]): number {
  let stamp = 0;
  for (const zone of zones) stamp += zone.version;
  return stamp;
}

/** The same zones (a `zones()` option may build a new array per query). */
function sameZones(a: readonly Zone[], b: readonly Zone[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class AnswerCache<T> {
  readonly entries: number;
  #map = new Map<string, T>();
  #zones: readonly Zone[] = [];
  #stamp = -1;

  constructor(options: AnswerCacheOptions = {}) {
    this.entries = options.entries ?? ANSWER_CACHE_ENTRIES;
  }

  /** Answers kept now. */
  get size(): number {
    return this.#map.size;
  }

  /** The key of a query: transport and every byte after the ID; undefined when not worth caching. */
  static keyOf(transport: string, query: Buffer): string | undefined {
    if (query.length < 12 || query.length > MAX_CACHED_QUERY) return undefined;
    return transport + query.toString('latin1', 2);
  }

  /** The answer stored for `key`, if the zones did not change since. */
  get(key: string, zones: readonly Zone[]): T | undefined {
    if (!sameZones(zones, this.#zones) || stampOf(zones) !== this.#stamp) {
      this.#map.clear();
      this.#zones = [...zones];
      this.#stamp = stampOf(zones);
      return undefined;
    }
    return this.#map.get(key);
  }

  /** Stores an answer computed from `zones` as they are now. */
  set(key: string, zones: readonly Zone[], value: T): void {
    if (!sameZones(zones, this.#zones) || stampOf(zones) !== this.#stamp) return;
    if (this.#map.size >= this.entries) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
    this.#map.set(key, value);
  }

  clear(): void {
    this.#map.clear();
  }
}
