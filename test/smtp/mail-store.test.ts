import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MailStore, type MailSummary, STALE_TMP_MS } from '../../protocols/smtp/mail-store.js';

const dirs: string[] = [];
const stores: MailStore[] = [];
async function freshStore(): Promise<MailStore> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-mailstore-'));
  dirs.push(dir);
  return openStore(path.join(dir, 'mail'));
}
async function openStore(dir: string): Promise<MailStore> {
  const store = new MailStore(dir);
  stores.push(store);
  await store.init();
  return store;
}
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

function message(subject: string, extra = ''): Buffer {
  return Buffer.from(
    `From: Alice <alice@a.test>\r\nTo: bob@b.test\r\nCc: carol@c.test\r\nSubject: ${subject}\r\nDate: Tue, 05 Mar 2024 10:00:00 +0000\r\n${extra}\r\nHello ${subject}\r\n`,
  );
}

describe('MailStore', () => {
  it('delivers into new/ with nothing left in tmp/, and reads it back raw and parsed', async () => {
    const store = await freshStore();
    const id = await store.deliver(message('one'), {
      mailFrom: 'alice@a.test',
      rcptTo: ['bob@b.test', 'hidden@b.test'],
    });
    await store.settled();
    expect(await fs.readdir(path.join(store.dir, 'new'))).toEqual([id]);
    expect(await fs.readdir(path.join(store.dir, 'tmp'))).toEqual([]);
    const raw = await store.raw(id);
    expect(raw?.toString()).toBe(
      `Return-Path: <alice@a.test>\r\nDelivered-To: bob@b.test\r\nDelivered-To: hidden@b.test\r\n${message('one').toString()}`,
    );
    const mail = await store.get(id);
    expect(mail).toMatchObject({
      id,
      from: 'alice@a.test',
      fromName: 'Alice',
      to: ['bob@b.test'],
      cc: ['carol@c.test'],
      bcc: ['hidden@b.test'],
      subject: 'one',
      date: '2024-03-05T10:00:00.000Z',
      size: raw?.length,
      text: 'Hello one\n',
      envelope: { mailFrom: 'alice@a.test', rcptTo: ['bob@b.test', 'hidden@b.test'] },
    });
    expect(mail?.headers['return-path']).toBe('<alice@a.test>');
    expect(mail?.headers.subject).toBe('one');
  });

  it('keeps the envelope across a restart (a new store on the same folder)', async () => {
    const store = await freshStore();
    const id = await store.deliver(message('kept'), { mailFrom: '', rcptTo: ['bcc-only@b.test'] });
    await store.close();
    const again = await openStore(store.dir);
    expect((await again.get(id))?.envelope).toEqual({ mailFrom: '', rcptTo: ['bcc-only@b.test'] });
    expect((await again.list()).map((m) => m.id)).toEqual([id]);
  });

  it('lists newest first, and falls back to envelope recipients when the headers name none', async () => {
    const store = await freshStore();
    const a = await store.deliver(message('a'));
    const b = await store.deliver(Buffer.from('Subject: b\r\n\r\nno To header\r\n'), {
      mailFrom: 'x@x.test',
      rcptTo: ['y@y.test'],
    });
    const c = await store.deliver(message('c'));
    const list = await store.list();
    expect(list.map((m) => m.id)).toEqual([c, b, a]);
    expect(list[1]).toMatchObject({ subject: 'b', from: 'x@x.test', to: ['y@y.test'] });
  });

  it('emits a summary once a message is on disk', async () => {
    const store = await freshStore();
    const seen: MailSummary[] = [];
    store.on('message', (s) => seen.push(s));
    const id = await store.deliver(message('evt'));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ id, subject: 'evt' });
    expect((await store.raw(id))?.toString()).toContain('Subject: evt');
  });

  it('deletes one and clears all', async () => {
    const store = await freshStore();
    const a = await store.deliver(message('a'));
    await store.deliver(message('b'));
    await store.deliver(message('c'));
    expect(await store.delete(a)).toBe(true);
    expect(await store.delete(a)).toBe(false);
    expect(await store.get(a)).toBeUndefined();
    expect(await store.clear()).toBe(2);
    expect(await store.list()).toEqual([]);
  });

  it('finds messages a reader moved to cur/ with flags', async () => {
    const store = await freshStore();
    const id = await store.deliver(message('read'));
    await store.settled();
    await fs.rename(path.join(store.dir, 'new', id), path.join(store.dir, 'cur', `${id}:2,S`));
    expect((await store.get(id))?.subject).toBe('read');
    expect(await store.delete(id)).toBe(true);
    await store.settled();
    expect(await fs.readdir(path.join(store.dir, 'cur'))).toEqual([]);
  });

  it('never reaches a file outside the Maildir through an id', async () => {
    const store = await freshStore();
    await fs.writeFile(path.join(store.dir, 'secret'), 'x');
    for (const id of ['../secret', '..%2Fsecret', 'secret', '', '/etc/passwd', '1.2.3/../../secret']) {
      expect(await store.raw(id)).toBeUndefined();
      expect(await store.delete(id)).toBe(false);
    }
  });

  it('does not list unfinished deliveries left in tmp/, and removes stale ones on init', async () => {
    const store = await freshStore();
    const fresh = path.join(store.dir, 'tmp', '1700000000000.M1P1.host');
    const stale = path.join(store.dir, 'tmp', '1600000000000.P1Q2Rabc.host');
    await fs.writeFile(fresh, 'Subject: half\r\n');
    await fs.writeFile(stale, 'Subject: old\r\n');
    const old = new Date(Date.now() - STALE_TMP_MS - 60_000);
    await fs.utimes(stale, old, old);
    expect(await store.list()).toEqual([]);
    await store.close();
    await openStore(store.dir);
    expect(await fs.readdir(path.join(store.dir, 'tmp'))).toEqual([path.basename(fresh)]);
  });

  it('keeps a message whose Maildir file cannot be written, and writes the file on the next open', async () => {
    const store = await freshStore();
    // new/ replaced by a file: the view cannot write there, as with a broken folder.
    await fs.rm(path.join(store.dir, 'new'), { recursive: true });
    await fs.writeFile(path.join(store.dir, 'new'), 'not a folder');
    const id = await store.deliver(message('kept'));
    await store.settled();
    expect((await store.list()).map((m) => m.subject)).toEqual(['kept']);
    await store.close();
    await fs.rm(path.join(store.dir, 'new'));
    await fs.mkdir(path.join(store.dir, 'new'));
    await openStore(store.dir);
    expect((await fs.readFile(path.join(store.dir, 'new', id))).toString()).toContain('Subject: kept');
  });

  it('stores concurrent deliveries each exactly once', async () => {
    const store = await freshStore();
    const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => store.deliver(message(`m${i}`))));
    expect(new Set(ids).size).toBe(50);
    const subjects = (await store.list()).map((m) => m.subject).sort();
    expect(subjects).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`).sort());
  });
});
