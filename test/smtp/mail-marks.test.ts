import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MailMarks } from '../../protocols/smtp/mail-marks.js';
import { MailStore } from '../../protocols/smtp/mail-store.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function store(maxMessages: number): Promise<MailStore> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-marks-'));
  const s = new MailStore(path.join(dir, 'mail'), { maxMessages });
  await s.init();
  cleanups.push(async () => {
    await s.close();
    await fs.rm(dir, { recursive: true, force: true });
  });
  return s;
}

const message = (n: number) => Buffer.from(`Subject: m${n}\r\n\r\nbody ${n}\r\n`);

describe('MailMarks', () => {
  it('orders deliveries, and forgets the numbers of messages the store no longer keeps', async () => {
    const s = await store(2);
    const marks = new MailMarks(s);
    const ids: string[] = [];
    for (let n = 1; n <= 4; n++) ids.push(await s.deliver(message(n)));
    expect(marks.count).toBe(4);
    const [m1, m2, m3, m4] = ids as [string, string, string, string];
    // The two kept messages keep their order against a mark taken after two deliveries.
    expect(marks.isAfter(m3, 2)).toBe(true);
    expect(marks.isAfter(m4, 3)).toBe(true);
    expect(marks.isAfter(m3, 3)).toBe(false);
    // The removed ones are no longer remembered (the table is bounded by the store's limit).
    expect((await s.list()).map((m) => m.id).sort()).toEqual([m3, m4].sort());
    expect(marks.isAfter(m1, 0)).toBe(false);
    expect(marks.isAfter(m2, 0)).toBe(false);
  });
});
