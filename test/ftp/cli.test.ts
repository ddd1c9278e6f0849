/**
 * The built CLI: `minisuite start ftp` prints its ready line and stops on SIGTERM with exit 0;
 * `minisuite ftp ...` client commands work against it. Needs `npm run build` (npm test does it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './helpers.js';

const MAIN = path.resolve('dist/cli/main.js');

describe('minisuite start ftp / minisuite ftp', () => {
  let dir: string;
  let child: ChildProcess;
  let port: number;
  let stderr = '';
  const cli = (...args: string[]) => run('node', [MAIN, 'ftp', ...args]);

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-ftp-cli-'));
    child = spawn('node', [MAIN, 'start', 'ftp', '--ftp-port', '0', '--data', dir, '--ftp-user', 'bob:pw'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const ready = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /^ftp listening on ftp:\/\/127\.0\.0\.1:(\d+)$/m.exec(out);
        if (m) resolve(m[0]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    port = Number(ready.split(':').pop());
  });

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('serves DATA/files and the client commands work against it', async () => {
    const base = `ftp://bob:pw@127.0.0.1:${port}`;
    const local = path.join(dir, 'local.txt');
    await fs.writeFile(local, 'from the cli\n');
    expect((await cli('mkdir', `${base}/x/y`)).code).toBe(0);
    const put = await cli('put', local, `${base}/x/y/`);
    expect(put.code).toBe(0);
    expect(put.stderr).toMatch(/ftp +client +127\.0\.0\.1:\d+ +STOR \/x\/y\/local\.txt +→ 226 Transfer complete/);
    expect(put.stderr).toContain('PASS ****');
    expect(put.stderr).not.toContain('pw\n');
    await expect(fs.readFile(path.join(dir, 'files', 'x', 'y', 'local.txt'), 'utf8')).resolves.toBe('from the cli\n');
    const ls = await cli('ls', `ftp://127.0.0.1:${port}/x/y`);
    expect(ls.stdout).toMatch(/^- +13 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +local\.txt$/m);
    const get = await cli('get', `ftp://127.0.0.1:${port}/x/y/local.txt`);
    expect(get).toMatchObject({ code: 0, stdout: 'from the cli\n' });
    const rm = await cli('rm', `${base}/x/y/local.txt`);
    expect(rm.code).toBe(0);
    const again = await cli('rm', `${base}/x/y/local.txt`);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/minisuite ftp rm: 550 /);
    expect((await cli('ls', 'http://nope/')).code).toBe(2);
    // The server's timeline shows the same exchanges.
    expect(stderr).toMatch(/ftp +server +127\.0\.0\.1:\d+ +RETR local\.txt|RETR \/x\/y\/local\.txt/);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
