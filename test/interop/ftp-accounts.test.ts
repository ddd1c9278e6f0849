/**
 * Per-user FTP accounts with Debian's lftp and rclone: a user without `w` gets 550 on put, a
 * user's home is its `/`, and rclone keeps a file's modification time through MFMT.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run, startFtp, type TestFtp } from '../ftp/helpers.js';

function lftp(port: number, user: string, script: string) {
  const settings = 'set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes; set ftp:ssl-allow no';
  return run('lftp', ['-u', user, '-p', String(port), '-e', `${settings}; ${script}; bye`, '127.0.0.1']);
}

describe('ftp accounts with lftp and rclone', () => {
  let ftp: TestFtp;
  let local: string;
  beforeEach(async () => {
    ftp = await startFtp({
      users: [
        { name: 'ro', pass: 'r1', perms: 'elr' },
        { name: 'home', pass: 'h1', home: 'homes/home' },
      ],
    });
    local = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-accounts-'));
    await fs.writeFile(path.join(local, 'a.txt'), 'from lftp\n');
  });
  afterEach(async () => {
    await ftp.close();
    await fs.rm(local, { recursive: true, force: true });
  });

  it('lftp: a user without w gets 550 on put, and nothing is stored', async () => {
    const r = await lftp(ftp.port, 'ro,r1', `put ${path.join(local, 'a.txt')} -o b.txt`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/550 Permission denied \(ro lacks 'w'\)/);
    await expect(fs.access(path.join(ftp.root, 'b.txt'))).rejects.toThrow();
  });

  it("lftp: a user's home is its /", async () => {
    const r = await lftp(ftp.port, 'home,h1', `pwd; put ${path.join(local, 'a.txt')} -o up.txt; cls -1`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ftp:\/\/home(@|:[^@]*@)127\.0\.0\.1:\d+\/?$/m);
    expect(r.stdout).toMatch(/^up\.txt$/m);
    expect(await fs.readFile(path.join(ftp.root, 'homes', 'home', 'up.txt'), 'utf8')).toBe('from lftp\n');
  });

  it('rclone copy keeps the modification time (MFMT)', async () => {
    const when = new Date('2019-05-06T07:08:09Z');
    await fs.utimes(path.join(local, 'a.txt'), when, when);
    const obscured = await run('rclone', ['obscure', 'h1']);
    const remote = `:ftp,host=127.0.0.1,port=${ftp.port},user=home,pass=${obscured.stdout.trim()}:/kept`;
    const r = await run('rclone', ['copy', local, remote, '--config', '/dev/null']);
    expect(r.code, r.stderr).toBe(0);
    const stored = await fs.stat(path.join(ftp.root, 'homes', 'home', 'kept', 'a.txt'));
    expect(stored.mtime.toISOString()).toBe(when.toISOString());
    expect(
      ftp.log.toArray().some((x) => x.request.startsWith('MFMT 20190506070809') && x.response.startsWith('213')),
    ).toBe(true);
  });
});
