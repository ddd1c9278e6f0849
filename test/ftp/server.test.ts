/**
 * Server behaviour through raw sessions: ABOR/STAT mid-transfer, EPSV ALL, the advertised
 * passive address, passive port ranges, listing forms, small commands, timeouts and shutdown.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { PassiveListener } from '../../protocols/ftp/data-channel.js';
import { PASS, startFtp, type TestFtp, USER } from './helpers.js';
import { RawFtp } from './raw-ftp.js';

function collect(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      text += d;
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(text));
  });
}

describe('ftp server behaviour', () => {
  let ftp: TestFtp | undefined;
  const raws: RawFtp[] = [];
  const session = async (options: Parameters<typeof startFtp>[0] = {}) => {
    ftp ??= await startFtp(options);
    const c = await RawFtp.connect(ftp.port);
    raws.push(c);
    return { c, ftp };
  };
  afterEach(async () => {
    for (const r of raws.splice(0)) r.close();
    await ftp?.close();
    ftp = undefined;
  });

  it('answers STAT and ABOR while a RETR is stalled by a client that does not read', async () => {
    const { c, ftp } = await session();
    await fs.writeFile(path.join(ftp.root, 'big.bin'), Buffer.alloc(32 * 1024 * 1024, 7));
    await c.login(USER, PASS);
    const data = await c.passive();
    data.pause();
    data.on('error', () => {});
    expect(await c.cmd('RETR big.bin')).toMatch(/^125 .*\(33554432 bytes\)/);
    await sleep(100);
    expect(await c.cmd('STAT')).toMatch(/^211-[\s\S]*A transfer is in progress[\s\S]*211 End/);
    c.client.send('ABOR\r\n');
    expect(await c.reply()).toMatch(/^426 /);
    expect(await c.reply()).toMatch(/^226 ABOR/);
    expect(await c.cmd('NOOP')).toMatch(/^200 /);
    expect(await c.cmd('ABOR')).toMatch(/^225 /);
    const record = ftp.log.toArray().find((r) => r.request === 'RETR big.bin');
    expect(record).toMatchObject({ ok: false, response: expect.stringMatching(/^426 /) });
  });

  it('ABOR stops a transfer still waiting for its data connection', async () => {
    // Without ABOR the wait would outlast the test's timeout.
    const { c } = await session({ dataConnectTimeoutMs: 600_000 });
    await c.login(USER, PASS);
    expect(await c.cmd('EPSV')).toMatch(/^229 /);
    c.client.send('LIST\r\n');
    await sleep(50);
    c.client.send('ABOR\r\n');
    expect(await c.reply()).toMatch(/^425 /);
    expect(await c.reply()).toMatch(/^226 /);
  });

  it('EPSV ALL refuses the other data commands (RFC 2428 §4)', async () => {
    const { c } = await session();
    await c.login(USER, PASS);
    expect(await c.cmd('EPSV ALL')).toMatch(/^200 /);
    expect(await c.cmd('PASV')).toMatch(/^501 /);
    expect(await c.cmd('PORT 127,0,0,1,4,1')).toMatch(/^501 /);
    expect(await c.cmd('EPRT |1|127.0.0.1|2000|')).toMatch(/^501 /);
    expect(await c.cmd('EPSV 2')).toMatch(/^522 /);
    expect(await c.cmd('EPSV 1')).toMatch(/^229 /);
  });

  it('advertises pasvAddress in 227 and takes ports from the range, skipping ports in use', async () => {
    const { blocker, busy } = await busyPortWithFreeNext();
    // A range of two ports, one already in use: every PASV gets the other one.
    const { c } = await session({ pasvAddress: '10.9.8.7', pasvPorts: { from: busy, to: busy + 1 } });
    await c.login(USER, PASS);
    for (let i = 0; i < 3; i++) {
      const r = await c.cmd('PASV');
      const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(r);
      expect(m?.slice(1, 5).join('.')).toBe('10.9.8.7');
      expect(Number(m?.[5]) * 256 + Number(m?.[6])).toBe(busy + 1);
    }
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it('reports an exhausted passive range as 425', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const busy = (blocker.address() as net.AddressInfo).port;
    await expect(PassiveListener.open('127.0.0.1', { from: busy, to: busy }, '127.0.0.1')).rejects.toThrow(
      /no free passive port/,
    );
    const { c } = await session({ pasvPorts: { from: busy, to: busy } });
    await c.login(USER, PASS);
    expect(await c.cmd('EPSV')).toMatch(/^425 /);
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it('lists in ls -l form: options are not paths, files list themselves, empty folders send nothing', async () => {
    const { c, ftp } = await session();
    await fs.mkdir(path.join(ftp.root, 'empty'));
    await fs.writeFile(path.join(ftp.root, 'a.txt'), 'abc');
    await c.login(USER, PASS);
    const listing = async (line: string) => {
      const data = await c.passive();
      const text = collect(data);
      const first = await c.cmd(line);
      if (!/^(125|150) /.test(first)) {
        data.destroy();
        return first;
      }
      expect(await c.reply()).toMatch(/^226 /);
      return text;
    };
    expect(await listing('LIST -la')).toMatch(
      /^-rw-r--r-- +1 ftp +ftp +3 \w{3} \d\d \d\d:\d\d a\.txt\r\ndrwxr-xr-x +\d+ ftp +ftp +\d+ .* empty\r\n$/,
    );
    expect(await listing('LIST a.txt')).toMatch(/^-rw-r--r-- .* a\.txt\r\n$/);
    expect(await listing('LIST empty')).toBe('');
    expect(await listing('NLST')).toBe('a.txt\r\nempty\r\n');
    expect(await listing('LIST missing')).toMatch(/^550 /);
    expect(await listing('MLSD a.txt')).toMatch(/^501 /);
    // Not pyftpdlib's 501: rclone needs 550 to know the directory is missing.
    expect(await listing('MLSD missing')).toMatch(/^550 /);
    expect(await listing('MLSD')).toMatch(/^modify=\d{14};perm=radfw;size=3;type=file;unique=\w+; a\.txt\r\nmodify=/);
  });

  it('answers the small commands as RFC 959 says', async () => {
    const { c } = await session({ anonymous: false });
    await c.cmd('USER anonymous');
    expect(await c.cmd('PASS guest')).toMatch(/^530 /);
    await c.login(USER, PASS);
    const expectations: [string, RegExp][] = [
      ['SYST', /^215 UNIX Type: L8/],
      ['TYPE A', /^200 /],
      ['TYPE I', /^200 /],
      ['TYPE E', /^504 /],
      ['STRU F', /^200 /],
      ['STRU R', /^504 /],
      ['STRU X', /^501 /],
      ['MODE S', /^200 /],
      ['MODE B', /^504 /],
      ['MODE X', /^501 /],
      ['ALLO 100', /^202 /],
      ['ALLO', /^501 /],
      ['HELP', /^214-[\s\S]* RETR [\s\S]*214 Help command successful/],
      ['HELP RETR', /^214 Syntax: RETR /],
      ['HELP XYZZY', /^501 /],
      ['SITE HELP', /^214-[\s\S]* CHMOD\r\n/],
      ['SITE XYZZY', /^500 /],
      ['PWD x', /^501 .*does not accept arguments/],
      ['NOOP x', /^501 /],
      ['CDUP', /^250 /],
      ['PWD', /^257 "\/" /],
      ['MKD "quoted"', /^257 "\/""quoted""" created/],
      ['REST abc', /^501 /],
      ['REST 5', /^350 /],
      ['STOR nothing-here', /^550 /],
      ['RNTO x', /^503 /],
      ['OPTS UTF8 ON', /^200 /],
      ['OPTS MLST size;type;', /^200 MLST OPTS size;type;/],
      ['MLST', /^250-[\s\S]* size=\d+;type=dir; \/\r\n250 End/],
      ['RETR', /^501 /],
      ['SIZE /', /^550 /],
      ['MDTM /', /^550 /],
      ['XYZZY', /^500 Command "XYZZY" not understood/],
      ['', /^500 /],
    ];
    for (const [line, want] of expectations) expect(await c.cmd(line), line).toMatch(want);
    expect(await c.cmd('QUIT')).toMatch(/^221 /);
    expect(await c.client.closedWithin(3_000)).toBe(true);
  });

  it('keeps RNFR until RNTO and REST until a transfer uses it, as pyftpdlib and vsftpd do', async () => {
    const { c, ftp } = await session();
    await fs.writeFile(path.join(ftp.root, 'a.txt'), 'abcdef');
    await c.login(USER, PASS);
    expect(await c.cmd('RNFR a.txt')).toMatch(/^350 /);
    expect(await c.cmd('PWD')).toMatch(/^257 /);
    expect(await c.cmd('RNTO b.txt')).toMatch(/^250 /);
    expect(await c.cmd('RNTO a.txt')).toMatch(/^503 /);
    expect(await c.cmd('RNFR b.txt')).toMatch(/^350 /);
    expect(await c.cmd('RNTO a.txt')).toMatch(/^250 /);
    // REST needs TYPE I (an offset into an ASCII stream is no file offset), and outlives other commands.
    expect(await c.cmd('REST 3')).toMatch(/^501 /);
    expect(await c.cmd('TYPE I')).toMatch(/^200 /);
    expect(await c.cmd('REST 3')).toMatch(/^350 /);
    expect(await c.cmd('SIZE a.txt')).toMatch(/^213 6/);
    const data = await c.passive();
    const text = collect(data);
    expect(await c.cmd('RETR a.txt')).toMatch(/^125 /);
    expect(await c.reply()).toMatch(/^226 /);
    expect(await text).toBe('def');
    // The offset was used up by that RETR.
    const whole = await c.passive();
    const all = collect(whole);
    expect(await c.cmd('RETR a.txt')).toMatch(/^125 /);
    expect(await c.reply()).toMatch(/^226 /);
    expect(await all).toBe('abcdef');
    expect(await c.cmd('REST 4')).toMatch(/^350 /);
    const again = await c.passive();
    const rest = collect(again);
    expect(await c.cmd('RETR a.txt')).toMatch(/^125 /);
    expect(await c.reply()).toMatch(/^226 /);
    expect(await rest).toBe('ef');
  });

  it('says 421 to an idle control connection', async () => {
    const { c } = await session({ idleTimeoutMs: 200 });
    expect(await c.reply()).toMatch(/^421 Timeout/);
    expect(await c.client.closedWithin(3_000)).toBe(true);
  });

  it('gives up a data connection on which nothing moves for the idle time (426)', async () => {
    const { c, ftp } = await session({ idleTimeoutMs: 300 });
    await c.login(USER, PASS);
    const data = await c.passive();
    data.on('error', () => {});
    expect(await c.cmd('STOR stalled.bin')).toMatch(/^125 /);
    data.write('partial');
    expect(await c.reply()).toMatch(/^426 /);
    await expect(fs.readdir(ftp.root)).resolves.toEqual([]);
  });

  it('lets a running transfer finish on close, then says 421', async () => {
    const { c, ftp } = await session();
    await fs.writeFile(path.join(ftp.root, 'mid.bin'), Buffer.alloc(8 * 1024 * 1024, 1));
    await c.login(USER, PASS);
    const data = await c.passive();
    data.pause();
    const body = new Promise<number>((resolve) => {
      let n = 0;
      data.on('data', (d: Buffer) => {
        n += d.length;
      });
      data.on('close', () => resolve(n));
    });
    expect(await c.cmd('RETR mid.bin')).toMatch(/^125 /);
    const closing = ftp.server.close({ graceMs: 10_000 });
    await sleep(100);
    data.resume();
    expect(await body).toBe(8 * 1024 * 1024);
    expect(await c.reply()).toMatch(/^226 /);
    expect(await c.reply()).toMatch(/^421 Server shutting down/);
    await closing;
  });
});

/**
 * A port held by a listener whose next port was free a moment ago. Other test files run in
 * parallel and the kernel hands out ephemeral ports, so a bare `busy + 1` is sometimes taken.
 */
async function busyPortWithFreeNext(): Promise<{ blocker: net.Server; busy: number }> {
  const listen = (server: net.Server, port: number) =>
    new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const blocker = net.createServer();
    await listen(blocker, 0);
    const busy = (blocker.address() as net.AddressInfo).port;
    const probe = net.createServer();
    if (busy < 65535 && (await listen(probe, busy + 1))) {
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      return { blocker, busy };
    }
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
  throw new Error('no port with a free successor found');
}
