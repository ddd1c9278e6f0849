/**
 * The mail store's log index: every live message's summary and where its bytes lie in the log, in
 * memory, in delivery order. Built when the store opens (from the log) and kept up to date by
 * it, so listing ten thousand messages or reading one by id needs no parsing and no folder scan.
 * @module
 */
import type { Extent } from './mail-log.js';
import type { MailSummary } from './mail-summary.js';

export interface IndexEntry {
  readonly id: string;
  readonly summary: MailSummary;
  /** The message's bytes, in order (chunks, then the commit's part). Replaced when compaction moves it. */
  parts: readonly Extent[];
  /** The oldest segment that holds (or held) a copy: a delete record must outlive it. */
  oldestSegment: number;
  /** Delivery order, for putting an entry back where it was. */
  readonly seq: number;
}

export class LogIndex {
  /** Oldest first (a Map keeps insertion order). */
  #entries = new Map<string, IndexEntry>();
  #newestFirst: MailSummary[] | undefined;
  #seq = 0;

  get size(): number {
    return this.#entries.size;
  }

  get(id: string): IndexEntry | undefined {
    return this.#entries.get(id);
  }

  /** Adds a new message at the end. */
  add(id: string, summary: MailSummary, parts: readonly Extent[]): IndexEntry {
    const entry: IndexEntry = {
      id,
      summary,
      parts,
      oldestSegment: Math.min(...parts.map((p) => p.segment)),
      seq: ++this.#seq,
    };
    this.#entries.set(id, entry);
    this.#newestFirst = undefined;
    return entry;
  }

  /** Points an entry at a new copy of its bytes (compaction moved it), keeping its place. */
  move(entry: IndexEntry, parts: readonly Extent[]): void {
    entry.parts = parts;
    entry.oldestSegment = Math.min(entry.oldestSegment, ...parts.map((p) => p.segment));
  }

  delete(id: string): IndexEntry | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    this.#entries.delete(id);
    this.#newestFirst = undefined;
    return entry;
  }

  /** Puts a removed entry back in its place (a delete that could not be made durable). */
  restore(entry: IndexEntry): void {
    this.#entries.set(entry.id, entry);
    this.#entries = new Map([...this.#entries].sort((a, b) => a[1].seq - b[1].seq));
    this.#newestFirst = undefined;
  }

  /** Puts the entries in the order `compare` gives (oldest first). */
  sort(compare: (a: string, b: string) => number): void {
    const sorted = [...this.#entries.values()].sort((a, b) => compare(a.id, b.id));
    this.#entries = new Map(sorted.map((e, i) => [e.id, { ...e, seq: i + 1 }]));
    this.#seq = sorted.length;
    this.#newestFirst = undefined;
  }

  /** Removes every entry; returns them. */
  clear(): IndexEntry[] {
    const all = [...this.#entries.values()];
    this.#entries.clear();
    this.#newestFirst = undefined;
    return all;
  }

  /** The oldest entry, or undefined. */
  oldest(): IndexEntry | undefined {
    return this.#entries.values().next().value;
  }

  entries(): IterableIterator<IndexEntry> {
    return this.#entries.values();
  }

  /** Summaries, newest first (the same array until the index changes: callers must not modify it). */
  list(): readonly MailSummary[] {
    this.#newestFirst ??= [...this.#entries.values()].reverse().map((e) => e.summary);
    return this.#newestFirst;
  }
}
