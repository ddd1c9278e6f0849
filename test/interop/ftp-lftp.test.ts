/**
 * lftp (Debian package `lftp`) against our server: mirror in both directions, put, ls, and
 * explicit TLS.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASS, run, startFtp, type TestFtp, USER } from '../ftp/helpers.js';
import { testCa } from '../helpers/test-ca.js';

function lftp(port: number, script: string, extra = '') {
  const settings = [
    'set net:max-retries 1',
    'set net:timeout 10',
    'set cmd:fail-exit yes',
    extra || 'set ftp:ssl-allow no',
  ].join('; ');
  return run('lftp', ['-u', `${USER},${PASS}`, '-p', String(port), '-e', `${settings}; ${script}; bye`, '127.0.0.1']);
}

async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = await fs.readFile(full, 'utf8');
  }
  return out;
}

describe('ftp with lftp', () => {
  let ftp: TestFtp;
  let local: string;
  beforeEach(async () => {
    ftp = await startFtp({ tls: (await testCa()).material });
    local = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-lftp-'));
  });
  afterEach(async () => {
    await ftp.close();
    await fs.rm(local, { recursive: true, force: true });
  });

  it('mirror -R uploads a tree and mirror downloads it back', async () => {
    const src = path.join(local, 'src');
    await fs.mkdir(path.join(src, 'a', 'b'), { recursive: true });
    await fs.writeFile(path.join(src, 'top.txt'), 'top');
    await fs.writeFile(path.join(src, 'a', 'mid.txt'), 'mid');
    await fs.writeFile(path.join(src, 'a', 'b', 'déjà vu.txt'), 'deep');
    const up = await lftp(ftp.port, `mirror -R ${src} /tree`);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(await tree(path.join(ftp.root, 'tree'))).toEqual(await tree(src));
    const back = path.join(local, 'back');
    const down = await lftp(ftp.port, `mirror /tree ${back}`);
    expect(down.code).toBe(0);
    expect(await tree(back)).toEqual(await tree(src));
  });

  it('put, ls and cat, also over explicit TLS', async () => {
    const file = path.join(local, 'p.txt');
    await fs.writeFile(file, 'put by lftp');
    const r = await lftp(ftp.port, `put ${file} -o /p.txt; ls /; cat /p.txt`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/-rw-r--r-- +1 ftp +ftp +11 .* p\.txt/);
    expect(r.stdout).toContain('put by lftp');
    const { caFile } = await testCa();
    const t = await lftp(
      ftp.port,
      `put ${file} -o /tls.txt; cat /tls.txt`,
      `set ftp:ssl-force yes; set ftp:ssl-protect-data yes; set ssl:ca-file ${caFile}; set ssl:verify-certificate yes`,
    );
    expect(t.stderr).toBe('');
    expect(t.stdout).toContain('put by lftp');
    expect(ftp.log.toArray().some((x) => x.request === 'STOR tls.txt' && x.transport === 'tls')).toBe(true);
  });
});
