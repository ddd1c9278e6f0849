/**
 * The built CLI: `minisuite start ftp` prints its ready line and stops on SIGTERM with exit 0;
 * `minisuite ftp ...` client commands work against it. Needs `npm run build` (npm test does it).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';

describe('minisuite start ftp / minisuite ftp', () => {
  let dir: string;
  let child: CliProcess;
  let port: number;
  const cli = (...args: string[]) => runCli(['ftp', ...args]);

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-ftp-cli-'));
    child = new CliProcess(['start', 'ftp', '--ftp-port', '0', '--data', dir, '--ftp-user', 'bob:pw']);
    const [, ready] = await child.waitForStdout(/^ftp listening on ftp:\/\/127\.0\.0\.1:(\d+)$/m);
    port = Number(ready);
  });

  afterAll(async () => {
    child.kill('SIGKILL');
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
    expect(child.stderr).toMatch(/ftp +server +127\.0\.0\.1:\d+ +RETR local\.txt|RETR \/x\/y\/local\.txt/);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    child.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
  });
});
