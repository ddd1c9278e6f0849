import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { testCa } from '../helpers/test-ca.js';
import { startSmtp, type TestSmtp } from './helpers.js';

const run = promisify(execFile);
const SCRIPT = path.join(import.meta.dirname, 'fixtures', 'smtplib_client.py');

const servers: TestSmtp[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function python(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run('python3', [SCRIPT, ...args], { timeout: 20_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe("Python's smtplib", () => {
  it('sends a UTF-8 subject and body with dot-stuffed lines to several recipients', async () => {
    const smtp = await startSmtp();
    servers.push(smtp);
    expect(await python(String(smtp.port), 'utf8')).toEqual({ refused: {} });
    const [summary] = await smtp.store.list();
    const mail = await smtp.store.get(summary?.id ?? '');
    expect(mail?.subject).toBe('Grüße aus Köln ✓');
    expect(mail?.from).toBe('joerg@example.test');
    expect(mail?.to).toEqual(['anna@example.test', 'bert@example.test']);
    expect(mail?.cc).toEqual(['carl@example.test']);
    expect(mail?.bcc).toEqual(['hidden@example.test']);
    expect(mail?.text).toBe('Hällo wörld ✓\n.leading dot\n..two dots\n.\nlast line\n');
    expect(mail?.envelope?.rcptTo).toEqual([
      'anna@example.test',
      'bert@example.test',
      'carl@example.test',
      'hidden@example.test',
    ]);
  });

  it('sends with the null sender', async () => {
    const smtp = await startSmtp();
    servers.push(smtp);
    expect(await python(String(smtp.port), 'null-sender')).toEqual({ refused: {} });
    expect(smtp.records().map((r) => r.request)).toContainEqual(expect.stringMatching(/^MAIL FROM:<>( |$)/i));
    const [summary] = await smtp.store.list();
    expect((await smtp.store.get(summary?.id ?? ''))?.envelope).toEqual({
      mailFrom: '',
      rcptTo: ['postmaster@example.test'],
    });
  });

  describe('over STARTTLS with an account', () => {
    let cafile = '';
    async function tlsServer(): Promise<TestSmtp> {
      const ca = await testCa();
      const material = ca.material;
      cafile = ca.caFile;
      const smtp = await startSmtp({ tls: material, users: [{ name: 'alice', pass: 'pa:ss word' }] });
      servers.push(smtp);
      return smtp;
    }

    it('upgrades, logs in and sends; AUTH is offered only inside TLS', async () => {
      const smtp = await tlsServer();
      expect(await python(String(smtp.port), 'starttls-auth', cafile, 'alice', 'pa:ss word')).toEqual({
        starttls_offered: true,
        auth_before_tls: true,
        auth_after_tls: expect.stringMatching(/PLAIN/),
        login: 'ok',
      });
      const [summary] = await smtp.store.list();
      expect(summary?.subject).toBe('over tls');
      const records = smtp.records();
      expect(records.find((r) => r.request === 'STARTTLS')).toMatchObject({ transport: 'tcp', ok: true });
      expect(records.find((r) => r.request.startsWith('AUTH'))).toMatchObject({
        request: 'AUTH PLAIN ****',
        transport: 'tls',
        response: '235 Authentication successful',
      });
      expect(records.find((r) => /^data$/i.test(r.request))).toMatchObject({
        transport: 'tls',
        response: `250 Stored ${summary?.id}`,
      });
      expect(JSON.stringify(records)).not.toContain('pa:ss word');
    });

    it('is refused with 535 for a wrong password', async () => {
      const smtp = await tlsServer();
      expect(await python(String(smtp.port), 'wrong-password', cafile, 'alice', 'nope')).toMatchObject({ login: 535 });
      expect(await smtp.store.list()).toEqual([]);
      expect(
        smtp
          .records()
          .filter((r) => r.request.startsWith('AUTH'))
          .every((r) => /^535 /.test(r.response)),
      ).toBe(true);
    });
  });
});
