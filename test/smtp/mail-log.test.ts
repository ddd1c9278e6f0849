import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordType } from '../../protocols/smtp/log-record.js';
import { type Extent, MailLog, type ScannedRecord } from '../../protocols/smtp/mail-log.js';

const dirs: string[] = [];
const logs: MailLog[] = [];
async function freshDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-maillog-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const log of logs.splice(0)) await log.close();
  for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

async function open(dir: string, segmentBytes = 1 << 20, syncs?: { n: number }) {
  const log = new MailLog(dir, {
    segmentBytes,
    ...(syncs
      ? {
          io: {
            fdatasync: (fd: number) =>
              new Promise<void>((resolve, reject) => {
                syncs.n++;
                import('node:fs').then((f) => f.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
              }),
          },
        }
      : {}),
  });
  logs.push(log);
  const records: { type: number; txn: number; key: string; data: string; extent: Extent }[] = [];
  const recovery = await log.open((r: ScannedRecord) =>
    records.push({ type: r.type, txn: r.txn, key: r.key, data: r.data.toString(), extent: r.extent }),
  );
  return { log, records, recovery };
}

describe('MailLog', () => {
  it('lets concurrent durable appends share syncs, and reads every one back', async () => {
    const dir = await freshDir();
    const syncs = { n: 0 };
    const { log } = await open(dir, 1 << 20, syncs);
    const extents = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        log.append(RecordType.commit, i + 1, `id${i}`, [Buffer.from(`message ${i}`)], true),
      ),
    );
    expect(syncs.n).toBeGreaterThanOrEqual(1);
    expect(syncs.n).toBeLessThan(40);
    for (const [i, extent] of extents.entries()) expect((await log.read(extent)).toString()).toBe(`message ${i}`);
  });

  it('finds every record again after reopening, in order, across segments', async () => {
    const dir = await freshDir();
    const first = await open(dir, 1000);
    for (let i = 0; i < 10; i++)
      await first.log.append(RecordType.commit, i + 1, `id${i}`, [Buffer.alloc(300, 0x61 + i)], true);
    await first.log.close();
    expect(first.log.segments().length).toBeGreaterThan(2);
    const again = await open(dir, 1000);
    expect(again.records.map((r) => r.key)).toEqual(Array.from({ length: 10 }, (_, i) => `id${i}`));
    expect(again.recovery.lastTxn).toBe(10);
    for (const r of again.records) expect((await again.log.read(r.extent)).toString()).toBe(r.data);
  });

  it('cuts off a torn tail, never hands it out, and appends after the intact records', async () => {
    const dir = await freshDir();
    const first = await open(dir);
    await first.log.append(RecordType.commit, 1, 'a', [Buffer.from('one')], true);
    await first.log.append(RecordType.commit, 2, 'b', [Buffer.from('two')], true);
    await first.log.close();
    const [[segment, intact]] = first.log.segments() as [[number, number]];
    const file = path.join(dir, `${String(segment).padStart(8, '0')}.seg`);
    // A third record torn mid-append: its header and part of its data.
    const torn = await open(await freshDir());
    const extent = await torn.log.append(RecordType.commit, 3, 'c', [Buffer.from('three, a longer one')], true);
    await torn.log.close();
    const tornFile = path.join(torn.log.dir, `${String(extent.segment).padStart(8, '0')}.seg`);
    const tornBytes = (await fs.readFile(tornFile)).subarray(0, extent.offset + 5);
    await fs.appendFile(file, tornBytes);

    const second = await open(dir);
    expect(second.records.map((r) => r.key)).toEqual(['a', 'b']);
    expect(second.recovery.torn).toEqual([{ segment, offset: intact, bytes: tornBytes.length }]);
    expect((await fs.stat(file)).size).toBe(intact);
    await second.log.append(RecordType.commit, 4, 'd', [Buffer.from('four')], true);
    await second.log.close();
    const third = await open(dir);
    expect(third.records.map((r) => [r.key, r.data])).toEqual([
      ['a', 'one'],
      ['b', 'two'],
      ['d', 'four'],
    ]);
  });

  it('drops a last record whose bytes changed', async () => {
    const dir = await freshDir();
    const first = await open(dir);
    await first.log.append(RecordType.commit, 1, 'a', [Buffer.from('one')], true);
    const b = await first.log.append(RecordType.commit, 2, 'b', [Buffer.from('two')], true);
    await first.log.close();
    const file = path.join(dir, `${String(b.segment).padStart(8, '0')}.seg`);
    const bytes = await fs.readFile(file);
    bytes[b.offset] = 0x00;
    await fs.writeFile(file, bytes);
    const second = await open(dir);
    expect(second.records.map((r) => r.key)).toEqual(['a']);
  });

  it('takes a failed write back, so nothing of it is found later', async () => {
    const dir = await freshDir();
    let fail = false;
    const log = new MailLog(dir, {
      segmentBytes: 1 << 20,
      io: {
        fdatasync: (fd) =>
          new Promise<void>((resolve, reject) =>
            fail
              ? reject(Object.assign(new Error('EIO'), { code: 'EIO' }))
              : import('node:fs').then((f) => f.fdatasync(fd, () => resolve())),
          ),
      },
    });
    logs.push(log);
    await log.open(() => {});
    await log.append(RecordType.commit, 1, 'kept', [Buffer.from('x')], true);
    fail = true;
    await expect(log.append(RecordType.commit, 2, 'lost', [Buffer.from('y')], true)).rejects.toThrow('EIO');
    fail = false;
    await log.append(RecordType.commit, 3, 'after', [Buffer.from('z')], true);
    await log.close();
    const again = await open(dir);
    expect(again.records.map((r) => r.key)).toEqual(['kept', 'after']);
  });
});
