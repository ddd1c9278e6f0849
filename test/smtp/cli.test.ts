import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/smtp.js';
import { sendMail } from '../../protocols/smtp/client.js';
import { ExchangeLog } from '../../shared/exchange.js';
import { fakeIo } from '../helpers/cli-io.js';
import { testCa } from '../helpers/test-ca.js';
import { type StartedChild, startChild } from './child.js';
import { startSmtp, type TestSmtp, waitForFile } from './helpers.js';

const servers: TestSmtp[] = [];
const children: StartedChild[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.child.kill('SIGKILL');
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

describe('minisuite smtp send', () => {
  it('sends the body from stdin and prints the exchange on stderr, the reply on stdout', async () => {
    const smtp = await startSmtp();
    servers.push(smtp);
    const t = fakeIo({ stdin: 'body from stdin\n.leading dot\n' });
    const code = await main(
      ['send', '--to', 'a@example.test,b@example.test', '--subject', 'Grüße', '--server', `127.0.0.1:${smtp.port}`],
      t.io,
    );
    expect(t.err()).not.toMatch(/minisuite smtp:/);
    expect(code).toBe(0);
    expect(t.out()).toMatch(/^250 2\.6\.0 Stored \S+\n$/);
    expect(t.err()).toMatch(/smtp\s+client\s+127\.0\.0\.1:\d+\s+MAIL FROM:<minisuite@localhost>\s+→ 250 Accepted/);
    expect(t.err()).toMatch(/DATA\s+→ 250 Stored/);
    const [summary] = await smtp.store.list();
    const mail = await smtp.store.get(summary?.id ?? '');
    expect(mail).toMatchObject({
      subject: 'Grüße',
      to: ['a@example.test', 'b@example.test'],
      text: 'body from stdin\n.leading dot\n',
    });
  });

  it('sends a file over STARTTLS with AUTH and verifies the certificate with --cacert', async () => {
    const { material, caFile: ca } = await testCa();
    const smtp = await startSmtp({ tls: material, users: [{ name: 'u', pass: 'top secret' }] });
    servers.push(smtp);
    const body = path.join(smtp.dir, 'body.txt');
    await fs.writeFile(body, 'from a file\n');
    const args = (pass: string) => [
      'send',
      '--to',
      'a@example.test',
      '--file',
      body,
      '--server',
      `127.0.0.1:${smtp.port}`,
      '--user',
      'u',
      '--pass',
      pass,
      '--starttls',
      '--cacert',
      ca,
    ];
    const ok = fakeIo();
    expect(await main(args('top secret'), ok.io)).toBe(0);
    expect(ok.err()).toMatch(/AUTH PLAIN \*\*\*\*\s+→ 235/);
    expect(ok.err()).not.toContain('top secret');
    const bad = fakeIo();
    expect(await main(args('wrong'), bad.io)).toBe(1);
    expect(bad.err()).toMatch(/minisuite smtp: server replied 535/);
    expect((await smtp.store.list()).length).toBe(1);
  });

  it('refuses CR/LF in arguments and bad usage with exit 2, before connecting', async () => {
    for (const args of [
      ['send', '--to', 'a@example.test\r\nRCPT TO:<evil@example.test>', '--text', 'x'],
      ['send', '--text', 'x'],
      ['send', '--to', 'a@example.test', '--text', 'x', '--file', 'f'],
      ['send', '--to', 'a@example.test', '--user', 'u'],
      ['send', '--to', 'a@example.test', '--server', 'host:notaport'],
      ['send', '--bogus'],
      ['frobnicate'],
    ]) {
      const t = fakeIo();
      expect(await main(args, t.io), args.join(' ')).toBe(2);
      expect(t.err()).toMatch(/^minisuite smtp: /);
    }
  });

  it('fails with exit 1 and a clear line when nobody listens', async () => {
    const t = fakeIo();
    expect(await main(['send', '--to', 'a@example.test', '--text', 'x', '--server', '127.0.0.1:1'], t.io)).toBe(1);
    expect(t.err()).toMatch(/minisuite smtp: 127\.0\.0\.1:1: .*ECONNREFUSED/);
  });
});

describe('sendMail client records', () => {
  it('records one client exchange per command, pipelined or not', async () => {
    const smtp = await startSmtp();
    servers.push(smtp);
    const log = new ExchangeLog();
    const result = await sendMail({
      port: smtp.port,
      to: ['a@example.test', 'b@example.test'],
      subject: 's',
      text: 'hello',
      log,
    });
    expect(result.accepted).toEqual(['a@example.test', 'b@example.test']);
    const records = log.toArray();
    expect(records.map((r) => `${r.request} → ${r.response}`)).toEqual([
      expect.stringMatching(/^\(connect\) → 220 /),
      expect.stringMatching(/^EHLO .* → 250 /),
      'MAIL FROM:<minisuite@localhost> → 250 Accepted',
      'RCPT TO:<a@example.test> → 250 Accepted',
      'RCPT TO:<b@example.test> → 250 Accepted',
      expect.stringMatching(/^DATA → 250 Stored /),
    ]);
    expect(
      records.every((r) => r.side === 'client' && r.protocol === 'smtp' && r.peer === `127.0.0.1:${smtp.port}`),
    ).toBe(true);
    expect(records.at(-1)?.bytesOut).toBeGreaterThan(100);
  });
});

describe('minisuite start smtp (child process)', () => {
  it('prints the ready line, accepts mail and exits 0 on SIGTERM', async () => {
    const data = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-cli-'));
    dirs.push(data);
    const server = await startChild(['smtp', '--smtp-port', '0', '--data', data]);
    children.push(server);
    expect(server.readyLine).toBe(`smtp listening on smtp://127.0.0.1:${server.port}`);
    const info = await nodemailer
      .createTransport({ host: '127.0.0.1', port: server.port })
      .sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'via child', text: 'x' });
    const id = /Stored (\S+)$/.exec(info.response)?.[1] ?? '';
    await waitForFile(path.join(data, 'mail', 'new', id));
    await expect(fs.readFile(path.join(data, 'mail', 'new', id), 'utf8')).resolves.toContain('Subject: via child');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toMatch(/MAIL FROM:<a@example\.test>\s+→ 250 Accepted/);
  });
});
