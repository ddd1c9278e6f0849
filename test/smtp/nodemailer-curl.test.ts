import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { testCa } from '../helpers/test-ca.js';
import { startSmtp, type TestSmtp } from './helpers.js';

const run = promisify(execFile);
const servers: TestSmtp[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function start(options: Parameters<typeof startSmtp>[0] = {}): Promise<TestSmtp> {
  const smtp = await startSmtp(options);
  servers.push(smtp);
  return smtp;
}

describe('nodemailer', () => {
  it('sends with default options, one connection per message', async () => {
    const smtp = await start();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port });
    for (let i = 0; i < 5; i++) {
      const info = await transport.sendMail({
        from: 'app@example.test',
        to: 'user@example.test',
        bcc: 'audit@example.test',
        subject: `Welcome ${i}`,
        text: 'plain',
        html: '<p>rich</p>',
        attachments: [{ filename: 'a.txt', content: 'attached' }],
      });
      expect(info.response).toMatch(/^250 2\.6\.0 Stored /);
      expect(info.accepted).toEqual(['user@example.test', 'audit@example.test']);
    }
    const list = await smtp.store.list();
    expect(list.map((m) => m.subject)).toEqual(['Welcome 4', 'Welcome 3', 'Welcome 2', 'Welcome 1', 'Welcome 0']);
    const mail = await smtp.store.get(list[0]?.id ?? '');
    expect(mail).toMatchObject({
      html: '<p>rich</p>',
      text: 'plain',
      attachments: [{ filename: 'a.txt', contentType: 'text/plain', size: 8 }],
      envelope: { mailFrom: 'app@example.test', rcptTo: ['user@example.test', 'audit@example.test'] },
    });
    expect(new Set(smtp.records().map((r) => r.session)).size).toBe(5);
  });

  it('upgrades to STARTTLS when offered and authenticates', async () => {
    const { material, caPem } = await testCa();
    const smtp = await start({ tls: material, users: [{ name: 'app', pass: 'secret' }] });
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp.port,
      auth: { user: 'app', pass: 'secret' },
      tls: { ca: caPem },
    });
    const info = await transport.sendMail({
      from: 'app@example.test',
      to: 'u@example.test',
      subject: 'tls',
      text: 'x',
    });
    expect(info.response).toMatch(/^250 /);
    expect(smtp.records().find((r) => r.request === 'DATA')?.transport).toBe('tls');
    await expect(
      nodemailer
        .createTransport({
          host: '127.0.0.1',
          port: smtp.port,
          auth: { user: 'app', pass: 'bad' },
          tls: { ca: caPem },
        })
        .sendMail({ from: 'a@example.test', to: 'u@example.test', text: 'x' }),
    ).rejects.toMatchObject({ responseCode: 535 });
  });
});

describe('curl smtp://', () => {
  it('uploads a message', async () => {
    const smtp = await start();
    const file = path.join(smtp.dir, 'mail.txt');
    await fs.writeFile(
      file,
      'From: a@example.test\r\nTo: b@example.test\r\nSubject: from curl\r\n\r\nhello\r\n.dot\r\n',
    );
    await run('curl', [
      '-sS',
      '--max-time',
      '10',
      `smtp://127.0.0.1:${smtp.port}`,
      '--mail-from',
      'a@example.test',
      '--mail-rcpt',
      'b@example.test',
      '--mail-rcpt',
      'c@example.test',
      '--upload-file',
      file,
    ]);
    const [summary] = await smtp.store.list();
    const mail = await smtp.store.get(summary?.id ?? '');
    expect(mail?.subject).toBe('from curl');
    expect(mail?.text).toBe('hello\n.dot\n');
    expect(mail?.envelope?.rcptTo).toEqual(['b@example.test', 'c@example.test']);
  });

  it('uses STARTTLS and AUTH, and fails cleanly on a wrong password', async () => {
    const { material, caFile: ca } = await testCa();
    const smtp = await start({ tls: material, users: [{ name: 'u', pass: 'p' }] });
    const file = path.join(smtp.dir, 'mail.txt');
    await fs.writeFile(file, 'Subject: curl tls\r\n\r\nbody\r\n');
    const args = (pass: string) => [
      '-sS',
      '--max-time',
      '10',
      `smtp://127.0.0.1:${smtp.port}`,
      '--ssl-reqd',
      '--cacert',
      ca,
      '--user',
      `u:${pass}`,
      '--mail-from',
      'a@example.test',
      '--mail-rcpt',
      'b@example.test',
      '--upload-file',
      file,
    ];
    await run('curl', args('p'));
    expect((await smtp.store.list()).map((m) => m.subject)).toEqual(['curl tls']);
    await expect(run('curl', args('wrong'))).rejects.toMatchObject({ code: 67 });
    expect(await smtp.store.list()).toHaveLength(1);
  });
});
