/**
 * Issue #17: failed FTP logins are throttled per client address, not per connection. Many parallel
 * connections from 127.0.0.1 get a bounded number of guesses in all, then every PASS from that
 * address is refused (421, even the right password); a login from 127.0.0.2 still succeeds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../protocols/ftp/login-throttle.js';
import { PASS, startFtp, type TestFtp, USER } from './helpers.js';
import { RawFtp } from './raw-ftp.js';

let ftp: TestFtp | undefined;
const clients: RawFtp[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await ftp?.close();
  ftp = undefined;
});

async function connect(port: number, localAddress?: string): Promise<RawFtp> {
  const c = await RawFtp.connect(port, localAddress);
  clients.push(c);
  return c;
}

const FROM_ADDRESS = /^421 Too many failed logins from your address/;

describe('ftp: failed logins per address', () => {
  it('bounds the guesses of 40 parallel connections, and serves another address', async () => {
    const LIMIT = 10;
    ftp = await startFtp({ maxLoginFailuresPerAddress: LIMIT, loginFailureDelayMs: 1, maxLoginFailures: 5 });
    const port = ftp.port;
    // 40 connections, each guessing until the server hangs up (5 per connection would be 200).
    const guessers = await Promise.all(Array.from({ length: 40 }, () => connect(port)));
    const replies = await Promise.all(
      guessers.map(async (c, i) => {
        const seen: string[] = [];
        for (let n = 0; n < 5; n++) {
          await c.cmd(`USER ${USER}`);
          const r = await c.cmd(`PASS guess-${i}-${n}`);
          seen.push(r);
          if (r.startsWith('421')) break;
        }
        return seen;
      }),
    );
    const all = replies.flat();
    // A guess was tried when its reply is not the address refusal (530, or 421 after the try).
    const tried = all.filter((r) => !FROM_ADDRESS.test(r));
    expect(tried.length).toBeLessThanOrEqual(LIMIT);
    expect(tried.length).toBeGreaterThan(0);
    expect(all.filter((r) => FROM_ADDRESS.test(r)).length).toBeGreaterThanOrEqual(40 - LIMIT);
    expect(all.some((r) => r.startsWith('230'))).toBe(false);

    // From the locked-out address even the right password is not tried.
    const again = await connect(port);
    await again.cmd(`USER ${USER}`);
    expect(await again.cmd(`PASS ${PASS}`)).toMatch(FROM_ADDRESS);

    // The legitimate client on another address logs in.
    const good = await connect(port, '127.0.0.2');
    await good.cmd(`USER ${USER}`);
    expect(await good.cmd(`PASS ${PASS}`)).toMatch(/^230 /);
  });

  it('keeps anonymous (read-only) logins open to a locked-out address', async () => {
    ftp = await startFtp({ maxLoginFailuresPerAddress: 1, loginFailureDelayMs: 1 });
    const c = await connect(ftp.port);
    await c.cmd(`USER ${USER}`);
    expect(await c.cmd('PASS wrong')).toMatch(/^421 /);
    const anon = await connect(ftp.port);
    await anon.cmd('USER anonymous');
    expect(await anon.cmd('PASS me@example.test')).toMatch(/^230 /);
  });
});

describe('LoginThrottle', () => {
  it('forgets failures once they are older than the window', () => {
    let now = 0;
    const t = new LoginThrottle({ maxFailures: 2, windowMs: 1_000, now: () => now });
    t.fail('192.0.2.1');
    now = 500;
    expect(t.fail('192.0.2.1')).toBe(2);
    expect(t.blocked('192.0.2.1')).toBe(true);
    expect(t.blocked('192.0.2.2')).toBe(false);
    now = 1_001;
    expect(t.failures('192.0.2.1')).toBe(1);
    expect(t.blocked('192.0.2.1')).toBe(false);
  });

  it('remembers a bounded number of addresses', () => {
    const t = new LoginThrottle({ maxFailures: 1, maxAddresses: 3, now: () => 0 });
    for (let i = 0; i < 10; i++) t.fail(`192.0.2.${i}`);
    expect(t.blocked('192.0.2.9')).toBe(true);
    expect(t.blocked('192.0.2.0')).toBe(false);
  });
});
