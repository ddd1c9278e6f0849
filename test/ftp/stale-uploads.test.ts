/**
 * Issue #17: an upload interrupted by a crash never appears as a complete file, and the `.part`
 * it leaves is removed when the server next starts (a real `minisuite start ftp` killed with -9).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli.js';
import { RawFtp } from './raw-ftp.js';

const dirs: string[] = [];
const procs: CliProcess[] = [];
const clients: RawFtp[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const p of procs.splice(0)) p.kill('SIGKILL');
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

async function startFtpChild(data: string): Promise<{ proc: CliProcess; port: number }> {
  const proc = new CliProcess(['start', 'ftp', '--ftp-port', '0', '--data', data, '--ftp-user', 'alice:pw']);
  procs.push(proc);
  const m = await proc.waitForStdout(/^ftp listening on ftp:\/\/127\.0\.0\.1:(\d+)/m);
  return { proc, port: Number(m[1]) };
}

const parts = async (dir: string) => (await fs.readdir(dir)).filter((n) => n.endsWith('.part'));

describe('ftp: interrupted uploads', () => {
  it('removes stale .part files at start, and a killed upload never appears', async () => {
    const data = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-ftp-crash-'));
    dirs.push(data);
    const uploads = path.join(data, 'ftp-uploads');
    await fs.mkdir(uploads, { recursive: true });
    const stale = `${randomUUID()}.part`;
    await fs.writeFile(path.join(uploads, stale), 'half of something');
    await fs.writeFile(path.join(uploads, 'notes.txt'), 'not ours to remove');

    const first = await startFtpChild(data);
    expect(await parts(uploads)).toEqual([]);
    expect(await fs.readFile(path.join(uploads, 'notes.txt'), 'utf8')).toBe('not ours to remove');

    // An upload under way when the process is killed.
    const c = await RawFtp.connect(first.port);
    clients.push(c);
    await c.login('alice', 'pw');
    expect(await c.cmd('TYPE I')).toMatch(/^200 /);
    const dataSocket = await c.passive();
    dataSocket.on('error', () => {});
    expect(await c.cmd('STOR big.bin')).toMatch(/^125 /);
    dataSocket.write(Buffer.alloc(256 * 1024, 7));
    // Wait until the bytes are on disk in a .part, then kill -9.
    for (;;) {
      const [part] = await parts(uploads);
      if (part && (await fs.stat(path.join(uploads, part))).size > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    first.proc.kill('SIGKILL');
    await first.proc.exited;
    dataSocket.destroy();
    expect(await parts(uploads)).toHaveLength(1);
    await expect(fs.stat(path.join(data, 'files', 'big.bin'))).rejects.toMatchObject({ code: 'ENOENT' });

    // The next start removes what the dead process left; the upload still never appears.
    const second = await startFtpChild(data);
    expect(await parts(uploads)).toEqual([]);
    await expect(fs.stat(path.join(data, 'files', 'big.bin'))).rejects.toMatchObject({ code: 'ENOENT' });
    second.proc.kill('SIGTERM');
    await second.proc.exited;
  });
});
