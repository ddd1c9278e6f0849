/**
 * curl against our server: EPSV, EPRT (-P), PORT (--disable-eprt), --ftp-create-dirs, -C - resume.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { curl, PASS, startFtp, type TestFtp, USER } from './helpers.js';

describe('ftp with curl', () => {
  let ftp: TestFtp;
  let base: string;
  let auth: string;
  beforeEach(async () => {
    ftp = await startFtp();
    base = `ftp://127.0.0.1:${ftp.port}`;
    auth = `ftp://${USER}:${encodeURIComponent(PASS)}@127.0.0.1:${ftp.port}`;
    await fs.writeFile(path.join(ftp.root, 'hello.txt'), 'hello world\n');
  });
  afterEach(() => ftp.close());

  it.each([
    ['EPSV', []],
    ['PASV', ['--disable-epsv']],
    ['EPRT', ['-P', '127.0.0.1']],
    ['PORT', ['-P', '127.0.0.1', '--disable-eprt']],
  ])('downloads and lists with %s', async (mode, extra) => {
    const get = await curl([...extra, `${base}/hello.txt`]);
    expect(get.stderr).toBe('');
    expect(get.stdout).toBe('hello world\n');
    const list = await curl([...extra, `${base}/`]);
    expect(list.stdout).toMatch(/^-rw-r--r-- +1 ftp +ftp +12 \w{3} \d\d \d\d:\d\d hello.txt\r?\n$/);
    const verbs = ftp.log.toArray().map((r) => r.request.split(' ')[0]);
    expect(verbs).toContain(mode);
  });

  it('uploads into new folders with --ftp-create-dirs', async () => {
    const r = await curl(['--ftp-create-dirs', '-T', '-', `${auth}/a/b/c/up.txt`], 'uploaded\n');
    expect(r.stderr).toBe('');
    await expect(fs.readFile(path.join(ftp.root, 'a', 'b', 'c', 'up.txt'), 'utf8')).resolves.toBe('uploaded\n');
  });

  it('resumes a download with -C -', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-curl-'));
    const out = path.join(dir, 'hello.txt');
    await fs.writeFile(out, 'hello');
    const r = await curl(['-C', '-', '-o', out, `${base}/hello.txt`]);
    expect(r.stderr).toBe('');
    await expect(fs.readFile(out, 'utf8')).resolves.toBe('hello world\n');
    expect(ftp.log.toArray().some((x) => x.request === 'REST 5')).toBe(true);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('resumes an upload with -C - (APPE)', async () => {
    await fs.writeFile(path.join(ftp.root, 'part.bin'), '01234');
    const r = await curl(['-C', '-', '-T', '-', `${auth}/part.bin`], '0123456789');
    expect(r.stderr).toBe('');
    await expect(fs.readFile(path.join(ftp.root, 'part.bin'), 'utf8')).resolves.toBe('0123456789');
  });

  it('answers 550 for a missing file and curl reports it', async () => {
    const r = await curl([`${base}/missing.txt`]);
    expect(r.code).not.toBe(0);
    expect(ftp.log.toArray().some((x) => x.request === 'SIZE missing.txt' && /^550/.test(x.response))).toBe(true);
  });
});
