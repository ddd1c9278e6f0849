import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MailStore, type MailStoreOptions } from '../../protocols/smtp/mail-store.js';

const dirs: string[] = [];
const stores: MailStore[] = [];
async function freshDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-mailstore-log-'));
  dirs.push(dir);
  return path.join(dir, 'mail');
}
async function openStore(dir: string, options: MailStoreOptions = {}): Promise<MailStore> {
  const store = new MailStore(dir, options);
  stores.push(store);
  await store.init();
  return store;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

function message(subject: string, body = 'hello'): Buffer {
  return Buffer.from(`From: a@a.test\r\nTo: b@b.test\r\nSubject: ${subject}\r\n\r\n${body}\r\n`);
}

async function logBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await fs.readdir(path.join(dir, '.log')))
    total += (await fs.stat(path.join(dir, '.log', name))).size;
  return total;
}

describe('MailStore on its log', () => {
  it('lets concurrent deliveries share fdatasyncs', async () => {
    const dir = await freshDir();
    let syncs = 0;
    const fsSync = await import('node:fs');
    const store = await openStore(dir, {
      io: {
        fdatasync: (fd) =>
          new Promise<void>((resolve, reject) => {
            syncs++;
            fsSync.fdatasync(fd, (err) => (err ? reject(err) : resolve()));
          }),
      },
    });
    const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => store.deliver(message(`m${i}`))));
    expect(new Set(ids).size).toBe(50);
    expect(syncs).toBeLessThan(50);
    expect((await store.list()).length).toBe(50);
  });

  it('answers 451-worthy failures with a rejection and keeps nothing of them', async () => {
    const dir = await freshDir();
    let fail = false;
    const fsSync = await import('node:fs');
    const store = await openStore(dir, {
      io: {
        fdatasync: (fd) =>
          new Promise<void>((resolve, reject) =>
            fail ? reject(new Error('EIO: simulated')) : fsSync.fdatasync(fd, (err) => (err ? reject(err) : resolve())),
          ),
      },
    });
    await store.deliver(message('kept'));
    fail = true;
    await expect(store.deliver(message('lost'))).rejects.toThrow('EIO');
    fail = false;
    expect((await store.list()).map((m) => m.subject)).toEqual(['kept']);
    await store.close();
    const again = await openStore(dir);
    expect((await again.list()).map((m) => m.subject)).toEqual(['kept']);
    expect(await fs.readdir(path.join(dir, 'new'))).toHaveLength(1);
  });

  it('streams a large message to the log in bounded chunks', async () => {
    const dir = await freshDir();
    const store = await openStore(dir);
    const draft = store.begin({ mailFrom: 'a@a.test', rcptTo: ['b@b.test'] });
    const line = Buffer.from(`${'x'.repeat(998)}\r\n`);
    let grewWhileArriving = false;
    for (let i = 0; i < 3000; i++) {
      await draft.write(i === 0 ? Buffer.concat([Buffer.from('Subject: big\r\n\r\n'), line]) : line);
      if (i === 2000) grewWhileArriving = (await logBytes(dir)) > 1_000_000;
    }
    const id = await draft.commit();
    expect(grewWhileArriving).toBe(true);
    const raw = await store.raw(id);
    expect(raw?.length).toBe(draft.size);
    expect(raw?.subarray(raw.length - line.length)).toEqual(line);
    expect((await store.summary(id))?.subject).toBe('big');
  });

  it('keeps at most maxMessages, removing the oldest first, also across a restart', async () => {
    const dir = await freshDir();
    const store = await openStore(dir, { maxMessages: 3 });
    for (let i = 0; i < 5; i++) await store.deliver(message(`m${i}`));
    expect((await store.list()).map((m) => m.subject)).toEqual(['m4', 'm3', 'm2']);
    await store.settled();
    expect(await fs.readdir(path.join(dir, 'new'))).toHaveLength(3);
    await store.close();
    const again = await openStore(dir, { maxMessages: 2 });
    expect((await again.list()).map((m) => m.subject)).toEqual(['m4', 'm3']);
    expect(await fs.readdir(path.join(dir, 'new'))).toHaveLength(2);
  });

  it('frees the space of deleted messages (compaction) and keeps the rest readable', async () => {
    const dir = await freshDir();
    const store = await openStore(dir, { segmentBytes: 20_000 });
    const body = 'y'.repeat(2_000);
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(await store.deliver(message(`m${i}`, body)));
    const full = await logBytes(dir);
    for (const [i, id] of ids.entries()) if (i % 10 !== 0) expect(await store.delete(id)).toBe(true);
    await store.compacted();
    expect(await logBytes(dir)).toBeLessThan(full / 2);
    const kept = ids.filter((_, i) => i % 10 === 0);
    expect((await store.list()).map((m) => m.id)).toEqual([...kept].reverse());
    for (const id of kept) expect((await store.raw(id))?.toString()).toContain(body);
    await store.close();
    const again = await openStore(dir, { segmentBytes: 20_000 });
    expect((await again.list()).map((m) => m.id)).toEqual([...kept].reverse());
    for (const id of kept) expect((await again.raw(id))?.toString()).toContain(body);
  });

  it('clears at once, frees the log, and nothing comes back after a restart', async () => {
    const dir = await freshDir();
    const store = await openStore(dir, { segmentBytes: 50_000 });
    for (let i = 0; i < 100; i++) await store.deliver(message(`m${i}`, 'z'.repeat(1000)));
    await store.settled();
    expect(await store.clear()).toBe(100);
    expect(await store.list()).toEqual([]);
    expect(await logBytes(dir)).toBeLessThan(1000);
    expect(await fs.readdir(path.join(dir, 'new'))).toEqual([]);
    const after = await store.deliver(message('after'));
    await store.close();
    const again = await openStore(dir, { segmentBytes: 50_000 });
    expect((await again.list()).map((m) => m.id)).toEqual([after]);
  });

  it('ignores a torn tail: the cut message is never listed, the others are', async () => {
    const dir = await freshDir();
    const store = await openStore(dir);
    const a = await store.deliver(message('a'));
    const b = await store.deliver(message('b'));
    await store.close();
    const seg = path.join(dir, '.log', (await fs.readdir(path.join(dir, '.log')))[0] as string);
    const good = (await fs.stat(seg)).size;
    // Deliver a third, then cut the log inside its record, as a crash mid-append leaves it.
    const writer = await openStore(dir);
    await writer.deliver(message('c', 'the torn one'));
    await writer.close();
    await fs.truncate(seg, good + 30);
    const again = await openStore(dir);
    expect((await again.list()).map((m) => m.id)).toEqual([b, a]);
    expect(again.recovery?.torn).toEqual([expect.objectContaining({ offset: good, bytes: 30 })]);
    expect(await fs.readdir(path.join(dir, 'new'))).toHaveLength(2);
  });

  it('writes the Maildir files again when they are missing at start', async () => {
    const dir = await freshDir();
    const store = await openStore(dir);
    const id = await store.deliver(message('again'));
    await store.settled();
    await store.close();
    await fs.rm(path.join(dir, 'new', id));
    await openStore(dir);
    expect((await fs.readFile(path.join(dir, 'new', id))).toString()).toContain('Subject: again');
  });

  it('lists 10,000 messages from memory', async () => {
    const dir = await freshDir();
    const store = await openStore(dir);
    await Promise.all(Array.from({ length: 10_000 }, (_, i) => store.deliver(message(`m${i}`))));
    const list = await store.list();
    expect(list).toHaveLength(10_000);
    expect(list[0]?.subject).toMatch(/^m\d+$/);
  }, 60_000);
});
