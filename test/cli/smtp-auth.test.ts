/**
 * `minisuite smtp send --user/--pass` against a server that offers no AUTH: the message is sent
 * (as nodemailer does) and a warning on stderr says the credentials were not used.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/smtp.js';
import { fakeIo } from '../helpers/cli-io.js';
import { startSmtp, type TestSmtp } from '../smtp/helpers.js';

const servers: TestSmtp[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const WARNING = /^minisuite smtp: warning: the server offered no AUTH, so --user\/--pass were not used/m;

describe('minisuite smtp send --user against a server without AUTH', () => {
  it('sends, and warns on stderr that the credentials were not used', async () => {
    const smtp = await startSmtp();
    servers.push(smtp);
    const t = fakeIo();
    const args = ['send', '--to', 'a@example.test', '--text', 'x', '--server', `127.0.0.1:${smtp.port}`];
    expect(await main([...args, '--user', 'u', '--pass', 'p'], t.io)).toBe(0);
    expect(t.out()).toMatch(/^250 /);
    expect(t.err()).toMatch(WARNING);
    expect(t.err()).not.toMatch(/^AUTH/m);
    expect((await smtp.store.list()).length).toBe(1);
    // Without --user there is nothing to warn about.
    const plain = fakeIo();
    expect(await main(args, plain.io)).toBe(0);
    expect(plain.err()).not.toMatch(/warning/);
  });

  it('does not warn when nothing was sent because nobody listens', async () => {
    const t = fakeIo();
    const code = await main(
      ['send', '--to', 'a@example.test', '--text', 'x', '--server', '127.0.0.1:1', '--user', 'u', '--pass', 'p'],
      t.io,
    );
    expect(code).toBe(1);
    expect(t.err()).not.toMatch(/warning/);
  });
});
