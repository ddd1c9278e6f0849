/**
 * The last few parses of `MailStore.get()`, kept by id: a message read again soon (every waiter
 * of `waitForMessage` reads each new message; the console opens what it lists) is parsed once.
 * Bounded by count and by the raw bytes the kept parses stand for; least recently used go first.
 * @module
 */

/** Parses kept... */
export const PARSES_KEPT = 64;
/** ...and the raw bytes they may stand for in all (16 MiB). */
export const PARSES_KEPT_BYTES = 16 * 1024 * 1024;

interface Kept<T> {
  readonly parsing: Promise<T | undefined>;
  /** Counted once the parse is done. */
  bytes: number;
}

export class ParseCache<T> {
  readonly #size: (parsed: T) => number;
  /** Least recently used first (a Map keeps insertion order). */
  #kept = new Map<string, Kept<T>>();
  #bytes = 0;

  /** `size`: the raw bytes a parse stands for. */
  constructor(size: (parsed: T) => number) {
    this.#size = size;
  }

  /** Parses kept now. */
  get size(): number {
    return this.#kept.size;
  }

  /** The kept parse of `id`, or a new one by `parse` (kept once it succeeds with a value). */
  get(id: string, parse: () => Promise<T | undefined>): Promise<T | undefined> {
    const found = this.#kept.get(id);
    if (found) {
      this.#kept.delete(id);
      this.#kept.set(id, found);
      return found.parsing;
    }
    const kept: Kept<T> = { parsing: parse(), bytes: 0 };
    this.#kept.set(id, kept);
    kept.parsing.then(
      (parsed) => {
        // Dropped meanwhile (the message was deleted), or nothing to keep.
        if (this.#kept.get(id) !== kept) return;
        if (parsed === undefined) return this.drop(id);
        kept.bytes = this.#size(parsed);
        this.#bytes += kept.bytes;
        for (const key of this.#kept.keys()) {
          if (this.#kept.size <= PARSES_KEPT && this.#bytes <= PARSES_KEPT_BYTES) break;
          // The newest always stays.
          if (key !== id) this.drop(key);
        }
      },
      () => {
        if (this.#kept.get(id) === kept) this.drop(id);
      },
    );
    return kept.parsing;
  }

  /** Forgets the parse of `id` (the message is gone). */
  drop(id: string): void {
    const kept = this.#kept.get(id);
    if (!kept) return;
    this.#kept.delete(id);
    this.#bytes -= kept.bytes;
  }
}
