import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { testCa } from '../helpers/test-ca.js';
import { startSmtp, type TestSmtp } from '../smtp/helpers.js';

const run = promisify(execFile);
const servers: TestSmtp[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function swaks(port: number, ...args: string[]) {
  return run('swaks', ['--server', `127.0.0.1:${port}`, '--timeout', '10', '--helo', 'client.test', ...args], {
    timeout: 20_000,
  });
}

describe('swaks', () => {
  it('sends with --pipeline, commands answered in order', async () => {
    const smtp = await startSmtp();
    servers.push(smtp);
    const { stdout } = await swaks(
      smtp.port,
      '--pipeline',
      '--from',
      'a@example.test',
      '--to',
      'b@example.test,c@example.test',
      '--header',
      'Subject: pipelined',
      '--body',
      'hello\n.dot line\n',
    );
    expect(stdout).toMatch(/<- +250 2\.6\.0 Stored /);
    const [summary] = await smtp.store.list();
    const mail = await smtp.store.get(summary?.id ?? '');
    expect(mail).toMatchObject({
      subject: 'pipelined',
      envelope: { mailFrom: 'a@example.test', rcptTo: ['b@example.test', 'c@example.test'] },
    });
    expect(mail?.text).toContain('.dot line');
    expect(smtp.records().map((r) => r.request)).toEqual(
      expect.arrayContaining([
        'MAIL FROM:<a@example.test>',
        'RCPT TO:<b@example.test>',
        'RCPT TO:<c@example.test>',
        'DATA',
      ]),
    );
  });

  for (const method of ['PLAIN', 'LOGIN']) {
    it(`sends over -tls with --auth ${method}; a wrong password fails with 535`, async () => {
      const ca = await testCa();
      const smtp = await startSmtp({ tls: ca.material, users: [{ name: 'alice', pass: 'wonder land' }] });
      servers.push(smtp);
      const tlsAuth = (password: string) => [
        '-tls',
        // swaks 20201014 checks the chain against the CA; it has no host name check to ask for.
        '--tls-verify',
        '--tls-ca-path',
        ca.caFile,
        '--auth',
        method,
        '--auth-user',
        'alice',
        '--auth-password',
        password,
      ];
      const { stdout } = await swaks(
        smtp.port,
        ...tlsAuth('wonder land'),
        '--from',
        'alice@example.test',
        '--to',
        'b@example.test',
        '--header',
        `Subject: tls ${method}`,
      );
      expect(stdout).toMatch(/235 /);
      expect((await smtp.store.list()).map((m) => m.subject)).toEqual([`tls ${method}`]);
      const auth = smtp.records().find((r) => r.request.startsWith('AUTH'));
      expect(auth).toMatchObject({ request: `AUTH ${method} ****`, transport: 'tls', ok: true });
      await expect(swaks(smtp.port, ...tlsAuth('nope'), '--to', 'b@example.test')).rejects.toMatchObject({
        stdout: expect.stringMatching(/535 /),
      });
      expect(await smtp.store.list()).toHaveLength(1);
      expect(JSON.stringify(smtp.records())).not.toMatch(/wonder land|nope/);
    });
  }
});
