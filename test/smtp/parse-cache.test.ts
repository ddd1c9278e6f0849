import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MailStore } from '../../protocols/smtp/mail-store.js';
import { PARSES_KEPT, PARSES_KEPT_BYTES, ParseCache } from '../../protocols/smtp/parse-cache.js';

describe('ParseCache', () => {
  it('parses an id once while it is kept, and again after it is dropped', async () => {
    const cache = new ParseCache<string>((s) => s.length);
    let parses = 0;
    const parse = async () => `parsed ${++parses}`;
    expect(await cache.get('a', parse)).toBe('parsed 1');
    expect(await cache.get('a', parse)).toBe('parsed 1');
    cache.drop('a');
    expect(await cache.get('a', parse)).toBe('parsed 2');
  });

  it('keeps neither a failed parse nor an absent message', async () => {
    const cache = new ParseCache<string>((s) => s.length);
    await expect(cache.get('a', () => Promise.reject(new Error('bad')))).rejects.toThrow('bad');
    expect(await cache.get('b', async () => undefined)).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(await cache.get('a', async () => 'now')).toBe('now');
  });

  it('stays within its count, dropping the least recently used first', async () => {
    const cache = new ParseCache<string>(() => 1);
    for (let n = 0; n < PARSES_KEPT; n++) await cache.get(`m${n}`, async () => `v${n}`);
    // m0 read again: m1 is now the least recently used.
    await cache.get('m0', async () => 'again');
    await cache.get('extra', async () => 'x');
    expect(cache.size).toBe(PARSES_KEPT);
    expect(await cache.get('m0', async () => 'reparsed')).toBe('v0');
    expect(await cache.get('m1', async () => 'reparsed')).toBe('reparsed');
  });

  it('stays within its bytes, but always keeps the newest', async () => {
    const cache = new ParseCache<number>((n) => n);
    await cache.get('small', async () => 10);
    await cache.get('huge', async () => PARSES_KEPT_BYTES + 1);
    expect(cache.size).toBe(1);
    expect(await cache.get('huge', async () => 0)).toBe(PARSES_KEPT_BYTES + 1);
  });
});

describe('MailStore.get', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
  });

  it('gives each caller its own object, equal each time, and nothing once the message is deleted', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-parsecache-'));
    dirs.push(dir);
    const store = new MailStore(path.join(dir, 'mail'));
    await store.init();
    try {
      const raw = 'From: a@a.test\r\nTo: b@b.test, c@c.test\r\nSubject: twice\r\n\r\nHello\r\n';
      const id = await store.deliver(Buffer.from(raw), { mailFrom: 'a@a.test', rcptTo: ['b@b.test', 'd@d.test'] });
      const first = await store.get(id);
      expect(first).toMatchObject({ subject: 'twice', to: ['b@b.test', 'c@c.test'], bcc: ['d@d.test'] });
      first?.to.push('changed@x.test');
      first?.bcc.push('changed@x.test');
      const second = await store.get(id);
      expect(second).not.toBe(first);
      expect(second).toMatchObject({ subject: 'twice', to: ['b@b.test', 'c@c.test'], bcc: ['d@d.test'] });
      expect(second?.text).toBe(first?.text);
      expect(await store.delete(id)).toBe(true);
      expect(await store.get(id)).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
