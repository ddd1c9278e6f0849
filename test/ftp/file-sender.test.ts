/**
 * The RETR read loop (file-sender.ts): content from every offset, buffer reuse bounded by the
 * pool, failures; then through the server: REST on a large file, ABOR mid-transfer, TLS.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendFile } from '../../protocols/ftp/file-sender.js';
import { testCa } from '../helpers/test-ca.js';
import { curl, PASS, startFtp, type TestFtp, USER } from './helpers.js';
import { RawFtp } from './raw-ftp.js';

/** A sink that takes each chunk a loop turn later and remembers the most bytes queued on it. */
class SlowSink extends Writable {
  readonly chunks: Buffer[] = [];
  maxQueued = 0;
  constructor() {
    super({ highWaterMark: 1 });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error) => void): void {
    // writableLength: this chunk and those written after it, not yet taken.
    this.maxQueued = Math.max(this.maxQueued, this.writableLength);
    // A copy: the sender reuses its buffers once the callback ran.
    this.chunks.push(Buffer.from(chunk));
    setImmediate(done);
  }
}

function receiveAll(socket: net.Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

describe('sendFile', () => {
  let dir: string;
  let file: string;
  const content = randomBytes(100_003);
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-ftp-send-'));
    file = path.join(dir, 'f.bin');
    await fs.writeFile(file, content);
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it.each([
    [0, 4096, 2],
    [0, 1, 3],
    [1, 7, 1],
    [65_536, 65_536, 2],
    [99_999, 1024, 3],
    [100_003, 4096, 2],
    [200_000, 4096, 2],
  ])(
    'from offset %i in %i-byte chunks with %i buffers',
    async (offset, chunkBytes, poolSize) => {
      const sink = new SlowSink();
      let counted = 0;
      await sendFile(file, sink, { offset, chunkBytes, poolSize, onSent: (n) => (counted += n) });
      const expected = content.subarray(Math.min(offset, content.length));
      expect(Buffer.concat(sink.chunks).equals(expected)).toBe(true);
      expect(counted).toBe(expected.length);
      expect(sink.writableFinished).toBe(true);
      // Reused buffers: never more queued than the pool holds.
      expect(sink.maxQueued > 0).toBe(expected.length > 0);
      expect(sink.maxQueued).toBeLessThanOrEqual(poolSize * chunkBytes);
    },
    60_000,
  );

  it('rejects when the socket is destroyed mid-transfer, and for a missing file', async () => {
    const sink = new SlowSink();
    const sending = sendFile(file, sink, { chunkBytes: 100 });
    await sleep(5);
    sink.destroy();
    await expect(sending).rejects.toMatchObject({ code: expect.stringMatching(/PREMATURE_CLOSE|DESTROYED/) });
    expect(Buffer.concat(sink.chunks).length).toBeLessThan(content.length);
    await expect(sendFile(path.join(dir, 'nope'), new SlowSink())).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('RETR of large files through the read loop', () => {
  let ftp: TestFtp;
  // Larger than several 1 MiB chunks and not a multiple of them.
  const big = randomBytes(5 * 1024 * 1024 + 12_345);
  beforeAll(async () => {
    ftp = await startFtp({ tls: (await testCa()).material });
    await fs.writeFile(path.join(ftp.root, 'big.bin'), big);
    // More than loopback socket buffers hold, so the transfer is still running at ABOR.
    await fs.writeFile(path.join(ftp.root, 'huge.bin'), Buffer.alloc(64 * 1024 * 1024, 1));
  });
  afterAll(() => ftp.close());

  it('REST offset: sends the rest of the file and counts its bytes', async () => {
    const c = await RawFtp.connect(ftp.port);
    try {
      await c.login(USER, PASS);
      expect(await c.cmd('TYPE I')).toMatch(/^200 /);
      const offset = 1_234_567;
      expect(await c.cmd(`REST ${offset}`)).toMatch(/^350 /);
      const data = await c.passive();
      const received = receiveAll(data);
      expect(await c.cmd('RETR big.bin')).toMatch(/^125 /);
      expect(await c.reply(30_000)).toMatch(/^226 /);
      const got = await received;
      expect(got.length).toBe(big.length - offset);
      expect(got.equals(big.subarray(offset))).toBe(true);
      const record = ftp.log.toArray().find((r) => r.request === 'RETR big.bin' && r.ok);
      // Data bytes plus the 150 and 226 reply lines.
      expect(record?.bytesOut).toBeGreaterThanOrEqual(big.length - offset);
      expect(record?.bytesOut).toBeLessThan(big.length - offset + 300);
    } finally {
      c.close();
    }
  }, 60_000);

  it('ABOR after part of the file arrived: 426 then 226, the bytes sent so far counted', async () => {
    const c = await RawFtp.connect(ftp.port);
    try {
      await c.login(USER, PASS);
      const data = await c.passive();
      data.on('error', () => {});
      let arrived = 0;
      const enough = new Promise<void>((resolve) => {
        data.on('data', (d: Buffer) => {
          arrived += d.length;
          if (arrived >= 1024 * 1024) {
            data.pause();
            resolve();
          }
        });
      });
      expect(await c.cmd('TYPE I')).toMatch(/^200 /);
      expect(await c.cmd('REST 0')).toMatch(/^350 /);
      c.client.send('RETR huge.bin\r\n');
      expect(await c.reply()).toMatch(/^125 /);
      await enough;
      c.client.send('ABOR\r\n');
      expect(await c.reply()).toMatch(/^426 /);
      expect(await c.reply()).toMatch(/^226 ABOR/);
      expect(await c.cmd('NOOP')).toMatch(/^200 /);
      const record = ftp.log.toArray().find((r) => r.request === 'RETR huge.bin');
      expect(record?.response).toMatch(/^426 /);
      expect(record?.bytesOut).toBeGreaterThanOrEqual(1024 * 1024);
      expect(record?.bytesOut).toBeLessThan(64 * 1024 * 1024);
    } finally {
      c.close();
    }
  }, 60_000);

  it('PROT P: a large file arrives whole over TLS (curl --ssl-reqd)', async () => {
    const out = path.join(ftp.dir, 'tls-copy.bin');
    const { caFile } = await testCa();
    const get = await curl(['--ssl-reqd', '--cacert', caFile, '-o', out, `ftp://127.0.0.1:${ftp.port}/big.bin`]);
    expect(get.stderr).toBe('');
    expect((await fs.readFile(out)).equals(big)).toBe(true);
    const record = ftp.log.toArray().find((r) => r.request === 'RETR big.bin' && r.transport === 'tls');
    expect(record).toMatchObject({ ok: true, response: '226 Transfer complete' });
    expect(record?.bytesOut).toBeGreaterThanOrEqual(big.length);
  }, 60_000);
});
