/**
 * FTP items of the hardening issue: a password after a TAB is masked in every sink, control
 * characters in names are refused with 553, and a passive listener nobody uses is closed.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { hasForbiddenChars, parseCommand } from '../../protocols/ftp/command-parser.js';
import { PASS, startFtp, type TestFtp, USER } from './helpers.js';
import { RawFtp } from './raw-ftp.js';

const started: TestFtp[] = [];
const clients: RawFtp[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(started.splice(0).map((s) => s.close()));
});
async function start(options = {}) {
  const ftp = await startFtp(options);
  started.push(ftp);
  const client = await RawFtp.connect(ftp.port);
  clients.push(client);
  return { ftp, client };
}

describe('FTP hardening', () => {
  it('knows PASS<TAB>secret as PASS and never records the secret', async () => {
    const { ftp, client } = await start();
    await client.cmd(`USER ${USER}`);
    expect(await client.cmd(`PASS\t${PASS}`)).toMatch(/^230 /);
    await client.cmd('USER nobody');
    await client.cmd('pass\t\tguess-me');
    const records = JSON.stringify(ftp.log.toArray());
    expect(records).not.toContain(PASS);
    expect(records).not.toContain('guess-me');
    expect(records).toContain('PASS ****');
  });

  it('refuses names with control characters (ESC, BEL, DEL, C1) with 553', async () => {
    const { client } = await start();
    await client.login(USER, PASS);
    for (const name of ['a\u001b[31mred', 'bell\u0007', 'del\u007f', 'c1\u009b2J', 'tab\tname'])
      expect(await client.cmd(`MKD ${name}`), JSON.stringify(name)).toMatch(/^553 /);
    expect(await client.cmd('MKD plain name')).toMatch(/^257 /);
  });

  it('closes a passive listener no transfer uses within the data-connection timeout', async () => {
    const { client } = await start({ dataConnectTimeoutMs: 300 });
    await client.login(USER, PASS);
    const reply = await client.cmd('EPSV');
    const port = Number(/\|\|\|(\d+)\|/.exec(reply)?.[1]);
    // Wait until the port no longer accepts: the listener was closed without any transfer.
    for (let i = 0; ; i++) {
      const open = await new Promise<boolean>((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port }, () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (!open) break;
      expect(i).toBeLessThan(100);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await client.cmd('NOOP')).toMatch(/^200 /);
  });

  it('parses and refuses by rule', () => {
    expect(parseCommand('PASS\tx y')).toEqual({ verb: 'PASS', arg: 'x y' });
    expect(parseCommand('RETR a b')).toEqual({ verb: 'RETR', arg: 'a b' });
    expect(hasForbiddenChars('ok name ü')).toBe(false);
    expect(hasForbiddenChars('x\u0000')).toBe(true);
  });
});
