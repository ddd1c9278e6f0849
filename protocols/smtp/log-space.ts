/**
 * Space in the mail log: which segments still matter, and compaction, so deleted messages free
 * their space. A sealed segment whose live messages take at most half of it has them copied
 * forward into the newest segment (durably), then it is removed.
 *
 * What must hold on disk at every moment: a record that cancels others (a delete, a clear) is
 * never removed while a segment holding what it cancels is still there; otherwise a crash could
 * bring deleted mail back. So a segment's delete records whose message still has a copy in an
 * older segment are re-appended before it goes, a segment with a clear record goes only once
 * every older segment is gone, and a segment holding chunks of a message still arriving stays.
 * @module
 */

import type { IndexEntry, LogIndex } from './log-index.js';
import { RecordType } from './log-record.js';
import type { Extent, MailLog } from './mail-log.js';

/** A sealed segment is compacted once its live bytes are at most this share of it. */
export const COMPACT_LIVE_SHARE = 0.5;

interface Tombstone {
  readonly id: string;
  /** The oldest segment that held the message when it was deleted. */
  readonly target: number;
}

/** What compaction needs of the store. */
export interface CompactionHost {
  readonly log: MailLog;
  readonly index: LogIndex;
  /** Copies a live message to the newest segment (durably) and points its entry there. */
  copyForward(entry: IndexEntry): Promise<void>;
  /** Whether deliveries have paused (compaction yields to them). */
  idle(): boolean;
}

export class LogSpace {
  #tombstones = new Map<number, Tombstone[]>();
  #clears = new Set<number>();
  /** Segments holding chunks of messages still arriving, with how many such messages. */
  #open = new Map<number, number>();
  #running: Promise<void> | undefined;

  /** A delete record for `id` (whose oldest copy was in `target`) now lies in `segment`. */
  deleted(segment: number, id: string, target: number): void {
    const list = this.#tombstones.get(segment) ?? [];
    list.push({ id, target });
    this.#tombstones.set(segment, list);
  }

  /** A clear record now lies in `segment`. */
  cleared(segment: number): void {
    this.#clears.add(segment);
  }

  /** A message still arriving has chunks in these segments (`+1`), or no longer (`-1`). */
  holding(parts: readonly Extent[], delta: 1 | -1): void {
    for (const segment of new Set(parts.map((p) => p.segment))) {
      const n = (this.#open.get(segment) ?? 0) + delta;
      if (n > 0) this.#open.set(segment, n);
      else this.#open.delete(segment);
    }
  }

  /** Runs compaction unless it runs already; resolves when this pass is done. */
  compact(host: CompactionHost): Promise<void> {
    this.#running ??= this.#pass(host).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(host: CompactionHost): Promise<void> {
    for (;;) {
      if (!host.idle()) return;
      const victim = this.#pick(host);
      if (victim === undefined) return;
      await this.#compactSegment(host, victim);
    }
  }

  /** The oldest sealed segment worth compacting, or undefined. */
  #pick(host: CompactionHost): number | undefined {
    const segments = host.log.segments().filter(([n]) => n !== host.log.active);
    if (segments.length === 0) return undefined;
    const live = new Map<number, number>();
    for (const entry of host.index.entries())
      for (const part of entry.parts) live.set(part.segment, (live.get(part.segment) ?? 0) + part.length);
    const oldest = segments[0]?.[0];
    for (const [n, bytes] of segments) {
      if (this.#open.has(n)) continue;
      if (this.#clears.has(n) && n !== oldest) continue;
      if ((live.get(n) ?? 0) <= bytes * COMPACT_LIVE_SHARE) return n;
    }
    return undefined;
  }

  async #compactSegment(host: CompactionHost, segment: number): Promise<void> {
    const present = new Set(host.log.segments().map(([n]) => n));
    for (const entry of [...host.index.entries()]) {
      if (entry.parts.some((p) => p.segment === segment)) await host.copyForward(entry);
    }
    // Delete records that still cancel something older travel forward.
    for (const t of this.#tombstones.get(segment) ?? []) {
      if (t.target >= segment || !present.has(t.target)) continue;
      const extent = await host.log.append(RecordType.delete, 0, t.id, [], true);
      this.deleted(extent.segment, t.id, t.target);
    }
    await host.log.remove([segment]);
    this.#tombstones.delete(segment);
    this.#clears.delete(segment);
  }
}
