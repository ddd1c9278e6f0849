import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { suiteStarter } from './helpers.js';

const exec = promisify(execFile);
const ftpSuite = suiteStarter(['ftp']);
const BIG = Buffer.alloc(200_000, 'z');

/** Python's ftplib as user app: `op` is retr or stor of `name`; prints bytes moved or the error. */
async function ftplib(port: number, op: 'retr' | 'stor', name: string): Promise<{ bytes?: number; error?: string }> {
  const script = `
import ftplib, io, json
got = bytearray()
try:
    f = ftplib.FTP()
    f.connect('127.0.0.1', ${port}, timeout=10)
    f.login('app', 'secret')
    if '${op}' == 'retr':
        f.retrbinary('RETR ${name}', got.extend)
        print(json.dumps({'bytes': len(got)}))
    else:
        f.storbinary('STOR ${name}', io.BytesIO(b'u' * 200000))
        print(json.dumps({'bytes': 200000}))
except ftplib.all_errors as e:
    print(json.dumps({'error': str(e), 'got': len(got)}))
`;
  const { stdout } = await exec('python3', ['-c', script], { timeout: 30_000 });
  return JSON.parse(stdout);
}

async function start() {
  return ftpSuite({ ftpUsers: ['app:secret'], files: { 'big.bin': BIG, 'up/keep.txt': 'kept' } });
}

describe('FTP faults with real clients', () => {
  it('ftplib gets 425 when the data connection is to open; the next RETR works', async () => {
    const suite = await start();
    const rule = suite.faults.add({
      protocol: 'ftp',
      match: { command: 'RETR' },
      action: { reply: "425 Can't open data connection" },
      times: 1,
    });
    expect(await ftplib(suite.ftp.port, 'retr', 'big.bin')).toMatchObject({ error: "425 Can't open data connection" });
    expect(await ftplib(suite.ftp.port, 'retr', 'big.bin')).toEqual({ bytes: BIG.length });
    expect(rule.hits).toBe(1);
  });

  it('426 after N bytes of a RETR: ftplib and curl get exactly N bytes and an error', async () => {
    const suite = await start();
    suite.faults.add({
      protocol: 'ftp',
      match: { command: 'RETR', target: '/big.bin' },
      action: { closeAfterBytes: 50_000 },
    });
    const seen = await ftplib(suite.ftp.port, 'retr', 'big.bin');
    expect(seen.error).toMatch(/^426 /);
    const curl = await exec('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{size_download}',
      `ftp://app:secret@127.0.0.1:${suite.ftp.port}/big.bin`,
    ]).then(
      (r) => ({ code: 0, size: Number(r.stdout) }),
      (e: { code: number; stdout: string }) => ({ code: e.code, size: Number(e.stdout) }),
    );
    expect(curl.code).not.toBe(0);
    expect(curl.size).toBe(50_000);
    const record = await suite.waitFor('ftp', (r) => r.fault !== undefined);
    expect(record.response).toMatch(/^426 /);
    expect(record.fault).toMatch(/close after 50000 B$/);
  });

  it('a STOR cut after N bytes is answered 426 and publishes nothing; a plain STOR still works', async () => {
    const suite = await start();
    suite.faults.add({
      protocol: 'ftp',
      match: { command: 'STOR', target: 'up/*' },
      action: { closeAfterBytes: 10_000 },
    });
    const cut = await ftplib(suite.ftp.port, 'stor', 'up/new.bin');
    expect(cut.error).toMatch(/^426 /);
    await expect(fs.stat(path.join(suite.ftp.root, 'up', 'new.bin'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await ftplib(suite.ftp.port, 'stor', 'other.bin')).toEqual({ bytes: 200_000 });
    expect((await fs.stat(path.join(suite.ftp.root, 'other.bin'))).size).toBe(200_000);
    const uploads = await fs.readdir(path.join(suite.dataDir, 'ftp-uploads')).catch(() => []);
    expect(uploads).toEqual([]);
  });

  it('curl uploading into a refused folder gets the reply; nothing is written', async () => {
    const suite = await start();
    suite.faults.add({
      protocol: 'ftp',
      match: { command: 'STOR', target: 'full/**' },
      action: { reply: '452 Disk full' },
    });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fault-ftp-'));
    const local = path.join(dir, 'x.txt');
    await fs.writeFile(local, 'data');
    const result = await exec('curl', [
      '-s',
      '-S',
      '--ftp-create-dirs',
      '-T',
      local,
      `ftp://app:secret@127.0.0.1:${suite.ftp.port}/full/a/x.txt`,
    ]).then(
      () => 0,
      (e: { code: number; stderr: string }) => (e.stderr.includes('452') ? e.code : -e.code),
    );
    expect(result).toBeGreaterThan(0);
    await expect(fs.stat(path.join(suite.ftp.root, 'full', 'a', 'x.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('a stalled data connection (drop) sends nothing and ends with 426 when the client aborts', async () => {
    const suite = await start();
    suite.faults.add({ protocol: 'ftp', match: { command: 'RETR' }, action: { drop: true }, times: 1 });
    const seen = await exec('curl', [
      '-s',
      '--max-time',
      '2',
      '-o',
      '/dev/null',
      '-w',
      '%{size_download}',
      `ftp://app:secret@127.0.0.1:${suite.ftp.port}/big.bin`,
    ]).then(
      (r) => ({ code: 0, size: Number(r.stdout) }),
      (e: { code: number; stdout: string }) => ({ code: e.code, size: Number(e.stdout) }),
    );
    expect(seen).toEqual({ code: 28, size: 0 });
    const record = await suite.waitFor('ftp', (r) => r.fault !== undefined && r.request === 'RETR big.bin');
    expect(record.response).toMatch(/^426 /);
    expect(await ftplib(suite.ftp.port, 'retr', 'big.bin')).toEqual({ bytes: BIG.length });
  });
});
