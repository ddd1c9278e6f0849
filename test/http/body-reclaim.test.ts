/**
 * Issue #17: the memory of request bodies goes back after a burst. A full GC is asked for once
 * enough body bytes were let go (body-reclaim.ts); the GC it asks for really frees them.
 */
import { describe, expect, it } from 'vitest';
import { BodyReclaim, collectGarbage } from '../../protocols/http/body-reclaim.js';

const MiB = 1024 * 1024;

describe('BodyReclaim', () => {
  it('asks for one GC once the bytes let go reach the threshold, after they settle', async () => {
    let collected = 0;
    let onCollect = () => {};
    const reclaim = new BodyReclaim({
      afterBytes: 10 * MiB,
      settleMs: 1,
      intervalMs: 1,
      collect: () => {
        collected++;
        onCollect();
      },
    });
    reclaim.released(4 * MiB);
    reclaim.released(4 * MiB);
    // Below the threshold nothing is scheduled: the next collect is the one the third release causes.
    const first = new Promise<void>((r) => (onCollect = r));
    reclaim.released(4 * MiB);
    reclaim.released(4 * MiB); // within the same settle time: the same GC
    await first;
    expect(collected).toBe(1);
    const second = new Promise<void>((r) => (onCollect = r));
    reclaim.released(10 * MiB);
    await second;
    expect(collected).toBe(2);
    reclaim.close();
  });

  it('never asks with a threshold of 0', () => {
    let collected = 0;
    const reclaim = new BodyReclaim({ afterBytes: 0, settleMs: 0, collect: () => collected++ });
    reclaim.released(1024 * MiB);
    reclaim.close();
    expect(collected).toBe(0);
  });
});

describe('collectGarbage', () => {
  it('frees Buffers nothing refers to any more', async () => {
    let held: Buffer[] | undefined = Array.from({ length: 512 }, () => Buffer.alloc(64 * 1024, 1));
    const before = process.memoryUsage().arrayBuffers;
    expect(held.length * 64 * 1024).toBe(32 * MiB);
    held = undefined;
    await new Promise<void>((r) => collectGarbage(r));
    expect(before - process.memoryUsage().arrayBuffers).toBeGreaterThanOrEqual(24 * MiB);
  });
});
