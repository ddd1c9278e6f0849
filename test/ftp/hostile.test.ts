/**
 * Hostile input: traversal by every route, bounce attacks, commands before login, over-long
 * lines, bad-command floods, password guessing, interrupted uploads, passive port stealing.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLIENT_BACKSTOP_MS, PASS, python, startFtp, type TestFtp, USER } from './helpers.js';
import { RawFtp } from './raw-ftp.js';

describe('ftp hostile input', () => {
  let ftp: TestFtp;
  const raws: RawFtp[] = [];
  const connect = async () => {
    const r = await RawFtp.connect(ftp.port);
    raws.push(r);
    return r;
  };
  beforeEach(async () => {
    ftp = await startFtp();
    await fs.writeFile(path.join(ftp.dir, 'secret.txt'), 'TOP SECRET');
    await fs.mkdir(path.join(ftp.dir, 'outside'));
    await fs.writeFile(path.join(ftp.root, 'hello.txt'), 'hello');
    await fs.symlink(path.join(ftp.dir, 'secret.txt'), path.join(ftp.root, 'link-file'));
    await fs.symlink(ftp.dir, path.join(ftp.root, 'link-dir'));
  });
  afterEach(async () => {
    for (const r of raws.splice(0)) r.close();
    await ftp.close();
  });

  it('no route reads, lists, writes or renames outside the root', async () => {
    const routes = [
      '../secret.txt',
      '../../secret.txt',
      '/../secret.txt',
      '//../secret.txt',
      `${ftp.dir}/secret.txt`,
      '..%2fsecret.txt',
      '%2e%2e/secret.txt',
      '..\\secret.txt',
      'link-file',
      'link-dir/secret.txt',
      'link-dir/files/../secret.txt',
    ];
    const r = await python(
      ftp.port,
      `
import json
ftp.login(USER, PASS)
routes = json.loads(sys.argv[1]) if len(sys.argv) > 1 else ${JSON.stringify(routes)}
out = {}
def attempt(label, fn):
    try:
        out[label] = str(fn())[:3]
    except ftplib.all_errors as e:
        out[label] = str(e)[:3]
for p in routes:
    buf = io.BytesIO()
    attempt('RETR ' + p, lambda: ftp.retrbinary('RETR ' + p, buf.write))
    if b'SECRET' in buf.getvalue(): out['LEAK ' + p] = 'leak'
    attempt('SIZE ' + p, lambda: ftp.sendcmd('SIZE ' + p))
    attempt('MLST ' + p, lambda: ftp.sendcmd('MLST ' + p))
    attempt('STOR ' + p, lambda: ftp.storbinary('STOR ' + p, io.BytesIO(b'PWNED')))
    attempt('DELE ' + p, lambda: ftp.sendcmd('DELE ' + p))
    attempt('RNFR ' + p, lambda: ftp.sendcmd('RNFR ' + p))
attempt('CWD ..', lambda: ftp.cwd('..'))
attempt('PWD', lambda: ftp.pwd())
attempt('CWD link-dir', lambda: ftp.cwd('link-dir'))
lines = []
ftp.retrlines('LIST ../..', lines.append)
out['LIST ../..'] = lines
lines = []
ftp.retrlines('LIST', lines.append)
out['LIST'] = lines
attempt('RNFR hello.txt', lambda: ftp.sendcmd('RNFR hello.txt'))
attempt('RNTO ../moved.txt', lambda: ftp.sendcmd('RNTO link-dir/moved.txt'))
attempt('MKD link-dir/x', lambda: ftp.sendcmd('MKD link-dir/x'))
print(json.dumps(out))
`,
    );
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as Record<string, string | string[]>;
    expect(Object.keys(out).filter((k) => k.startsWith('LEAK'))).toEqual([]);
    await expect(fs.readFile(path.join(ftp.dir, 'secret.txt'), 'utf8')).resolves.toBe('TOP SECRET');
    const outside = (await fs.readdir(ftp.dir)).sort();
    expect(outside).toEqual(['.ftp-uploads', 'files', 'outside', 'secret.txt']);
    await expect(fs.readdir(path.join(ftp.dir, 'outside'))).resolves.toEqual([]);
    // `..` is clamped at /: `../secret.txt` names /secret.txt inside the root, which a STOR may create.
    for (const route of ['link-file', 'link-dir/secret.txt', 'link-dir/files/../secret.txt']) {
      for (const verb of ['RETR', 'SIZE', 'MLST', 'STOR', 'DELE', 'RNFR'])
        expect(out[`${verb} ${route}`], `${verb} ${route}`).toMatch(/^55\d$/);
    }
    expect(out['PWD']).toBe('/');
    expect(out['CWD link-dir']).toBe('550');
    expect(out['RNTO ../moved.txt']).toBe('550');
    expect(out['MKD link-dir/x']).toBe('550');
    // Links leaving the root are not even listed.
    expect((out['LIST'] as string[]).join('\n')).not.toMatch(/link-/);
    expect((out['LIST ../..'] as string[]).join('\n')).not.toMatch(/secret/);
  });

  it('refuses names with NUL, CR or LF', async () => {
    const c = await connect();
    await c.login(USER, PASS);
    expect(await c.cmd('MKD a\u0000b')).toMatch(/^553 /);
    // CR inside a line separates commands (urgent-data ABOR); "MKD a" then "b" (unknown: 500).
    const r = await c.cmd('MKD a\rb');
    expect(r).toMatch(/^257 /);
    expect(await c.reply()).toMatch(/^500 /);
  });

  it('refuses PORT/EPRT to another address or a privileged port, before connecting', async () => {
    const c = await connect();
    await c.login(USER, PASS);
    // A listener on another loopback address must never be contacted.
    let contacted = false;
    const bait = net.createServer((s) => {
      contacted = true;
      s.destroy();
    });
    await new Promise<void>((resolve) => bait.listen(0, '127.0.0.2', () => resolve()));
    const baitPort = (bait.address() as net.AddressInfo).port;
    for (const line of [
      `PORT 127,0,0,2,${baitPort >> 8},${baitPort & 255}`,
      `EPRT |1|127.0.0.2|${baitPort}|`,
      'PORT 10,0,0,1,4,1',
      'PORT 127,0,0,1,0,21',
      'EPRT |1|127.0.0.1|25|',
    ]) {
      expect(await c.cmd(line), line).toMatch(/^504 /);
      expect(await c.cmd('RETR hello.txt'), `RETR after ${line}`).toMatch(/^425 /);
    }
    // RFC 2428 §2: on an IPv4 control connection, protocol 2 (and any unknown one) is 522 "use (1)".
    expect(await c.cmd('EPRT |2|::1|2000|')).toMatch(/^522 .*\(1\)/);
    expect(await c.cmd('EPRT |9|x|1|')).toMatch(/^522 /);
    expect(await c.cmd('PORT 1,2,3')).toMatch(/^501 /);
    await sleep(100);
    expect(contacted).toBe(false);
    await new Promise<void>((resolve) => bait.close(() => resolve()));
  });

  it('accepts a passive connection only from the control connection address', async () => {
    const c = await connect();
    await c.login(USER, PASS);
    const r = await c.cmd('EPSV');
    const port = Number(/\(\|\|\|(\d+)\|\)/.exec(r)?.[1]);
    const thief = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
    const stolen = await new Promise<string>((resolve) => {
      let got = '';
      thief.on('data', (d) => {
        got += d;
      });
      thief.on('close', () => resolve(got));
      thief.on('error', () => {});
    });
    expect(stolen).toBe('');
    const data = net.connect({ host: '127.0.0.1', port });
    let body = '';
    data.on('data', (d) => {
      body += d;
    });
    const closed = new Promise((resolve) => data.on('close', resolve));
    expect(await c.cmd('RETR hello.txt')).toMatch(/^125 /);
    expect(await c.reply()).toMatch(/^226 /);
    await closed;
    expect(body).toBe('hello');
  });

  it('answers 530 to commands before login', async () => {
    const c = await connect();
    for (const line of [
      'RETR hello.txt',
      'LIST',
      'CWD /',
      'STOR x',
      'PASV',
      'EPSV',
      'PORT 127,0,0,1,4,1',
      'DELE hello.txt',
      'MKD x',
    ])
      expect(await c.cmd(line), line).toMatch(/^530 /);
    expect(await c.cmd('NOOP')).toMatch(/^200 /);
    expect(await c.cmd('PASS nouser')).toMatch(/^503 /);
  });

  it('gives the same answer for an unknown user and a wrong password, and hangs up after repeated failures', async () => {
    const c = await connect();
    await c.cmd('USER nobody');
    const unknown = await c.cmd('PASS x');
    await c.cmd(`USER ${USER}`);
    const wrong = await c.cmd('PASS x');
    expect(unknown).toBe(wrong);
    expect(wrong).toMatch(/^530 /);
    for (let i = 0; i < 2; i++) {
      await c.cmd(`USER ${USER}`);
      expect(await c.cmd('PASS y')).toMatch(/^530 /);
    }
    await c.cmd(`USER ${USER}`);
    expect(await c.cmd('PASS z')).toMatch(/^421 /);
    expect(await c.client.closedWithin(3_000)).toBe(true);
    expect(JSON.stringify(ftp.log.toArray())).not.toMatch(/PASS [xyz]/);
  });

  it('closes with 421 on an over-long line and after too many bad commands', async () => {
    const a = await connect();
    a.client.send(`NOOP ${'x'.repeat(10_000)}\r\n`);
    expect(await a.reply()).toMatch(/^421 /);
    expect(await a.client.closedWithin(3_000)).toBe(true);
    const b = await connect();
    for (let i = 0; i < 19; i++) expect(await b.cmd(`BOGUS${i}`)).toMatch(/^500 /);
    expect(await b.cmd('BOGUS')).toMatch(/^500 /);
    expect(await b.reply()).toMatch(/^421 Too many bad commands/);
    expect(await b.client.closedWithin(3_000)).toBe(true);
    // The server is unharmed.
    const c = await connect();
    expect(await c.cmd('NOOP')).toMatch(/^200 /);
  });

  it('leaves nothing at the target when an upload is interrupted (reset, ABOR, control lost)', async () => {
    const c = await connect();
    await c.login(USER, PASS);
    // 1. The data connection is reset mid-transfer.
    let data = await c.passive();
    expect(await c.cmd('STOR reset.bin')).toMatch(/^125 /);
    data.write(Buffer.alloc(256 * 1024, 1));
    await sleep(50);
    data.resetAndDestroy();
    expect(await c.reply()).toMatch(/^426 /);
    // 2. ABOR mid-transfer: 426 for the transfer, then 226 for ABOR.
    data = await c.passive();
    data.on('error', () => {});
    expect(await c.cmd('STOR abor.bin')).toMatch(/^125 /);
    data.write(Buffer.alloc(64 * 1024, 2));
    await sleep(50);
    c.client.send('ABOR\r\n');
    expect(await c.reply()).toMatch(/^426 /);
    expect(await c.reply()).toMatch(/^226 /);
    // 3. The control connection is lost, then the data connection ends cleanly.
    data = await c.passive();
    expect(await c.cmd('STOR lost.bin')).toMatch(/^125 /);
    data.write(Buffer.alloc(64 * 1024, 3));
    await sleep(50);
    c.close();
    await sleep(50);
    data.end();
    // The third STOR is recorded once the server has seen both connections end: wait for that event.
    const storRecords = () => ftp.log.toArray().filter((r) => r.request.startsWith('STOR'));
    await vi.waitFor(() => expect(storRecords()).toHaveLength(3), { timeout: 20_000, interval: 20 });
    const names = await fs.readdir(ftp.root);
    expect(names.sort()).toEqual(['hello.txt', 'link-dir', 'link-file']);
    await expect(fs.readdir(path.join(ftp.dir, '.ftp-uploads'))).resolves.toEqual([]);
    const stor = storRecords();
    expect(stor.map((r) => r.response.slice(0, 3))).toEqual(['426', '426', '426']);
  });

  // Ten python clients at once: the time they take depends on the machine, so the test waits for them
  // (up to the client backstop), and asserts only on what they saw and what is on disk.
  it('serves 10 parallel sessions correctly', { timeout: CLIENT_BACKSTOP_MS + 10_000 }, async () => {
    const body = `
import hashlib
ftp.login(USER, PASS)
n = int(sys.argv[1]) if len(sys.argv) > 1 else 0
`;
    const runs = Array.from({ length: 10 }, (_, i) =>
      python(
        ftp.port,
        `${body}
data = (b'session-${i}-' * 20000)
ftp.storbinary('STOR s${i}.bin', io.BytesIO(data))
buf = io.BytesIO()
ftp.retrbinary('RETR s${i}.bin', buf.write)
print('OK' if buf.getvalue() == data else 'MISMATCH', len(data))
print(ftp.nlst().count('s${i}.bin'))
ftp.quit()
`,
      ),
    );
    const results = await Promise.all(runs);
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^OK \d+\n1\n$/);
    }
    for (let i = 0; i < 10; i++) {
      const stats = await fs.stat(path.join(ftp.root, `s${i}.bin`));
      expect(stats.size).toBe(`session-${i}-`.length * 20000);
    }
  });
});
