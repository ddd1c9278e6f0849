import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { suiteStarter } from './helpers.js';

const run = promisify(execFile);
const smtpSuite = suiteStarter(['smtp']);

/** Runs Python's smtplib: sendmail from a@x.test to `rcpts`; prints the refused dict or the error. */
async function smtplib(port: number, rcpts: string[]): Promise<{ refused?: Record<string, unknown>; error?: string }> {
  const script = `
import json, smtplib, sys
try:
    with smtplib.SMTP('127.0.0.1', ${port}, timeout=10) as s:
        refused = s.sendmail('a@x.test', ${JSON.stringify(rcpts)}, 'Subject: hi\\r\\n\\r\\nbody\\r\\n')
        print(json.dumps({'refused': {k: [v[0], v[1].decode()] for k, v in refused.items()}}))
except smtplib.SMTPException as e:
    print(json.dumps({'error': type(e).__name__ + ' ' + str(e)}))
`;
  const { stdout } = await run('python3', ['-c', script], { timeout: 20_000 });
  return JSON.parse(stdout);
}

function transport(port: number) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
}

describe('SMTP faults with real clients', () => {
  it('smtplib: 451 on RCPT for one address, 250 for the other; the mail goes to the other only', async () => {
    const suite = await smtpSuite();
    const rule = suite.faults.add({
      protocol: 'smtp',
      match: { command: 'RCPT', target: '*@blocked.test' },
      action: { reply: '451 4.7.1 Try again later' },
    });
    const result = await smtplib(suite.smtp.port, ['ok@fine.test', 'Bob@Blocked.test']);
    expect(result).toEqual({ refused: { 'Bob@Blocked.test': [451, '4.7.1 Try again later'] } });
    const mail = await suite.smtp.waitForMessage();
    expect(mail.envelope?.rcptTo).toEqual(['ok@fine.test']);
    expect(rule.hits).toBe(1);
    const record = await suite.waitFor('smtp', (r) => r.fault !== undefined);
    expect(record).toMatchObject({
      request: expect.stringMatching(/^rcpt TO:<Bob@Blocked.test>$/i),
      response: '451 Try again later',
      ok: false,
      fault: `${rule.id}: reply 451 4.7.1 Try again later`,
    });
  });

  it('nodemailer: the blocked recipient is rejected with 451, the other accepted', async () => {
    const suite = await smtpSuite();
    suite.faults.add({
      protocol: 'smtp',
      match: { command: 'RCPT', target: 'blocked@*' },
      action: { reply: '451 4.7.1 Greylisted' },
    });
    const info = await transport(suite.smtp.port).sendMail({
      from: 'a@x.test',
      to: ['ok@y.test', 'blocked@y.test'],
      subject: 'one of two',
      text: 'hello',
    });
    expect(info.accepted).toEqual(['ok@y.test']);
    expect(info.rejected).toEqual(['blocked@y.test']);
    expect(String(info.rejectedErrors?.[0]?.message)).toMatch(/451 4\.7\.1 Greylisted/);
    expect((await suite.smtp.messages()).length).toBe(1);
  });

  it('greylisting: 451 on the first try, 250 on the retry, one mail stored', async () => {
    const suite = await smtpSuite();
    const rule = suite.faults.add({
      protocol: 'smtp',
      match: { command: 'RCPT' },
      action: { reply: '451 4.7.1 Greylisted, try again' },
      times: 1,
    });
    const first = await smtplib(suite.smtp.port, ['grey@y.test']);
    expect(first.error).toMatch(/^SMTPRecipientsRefused .*451/);
    expect(await smtplib(suite.smtp.port, ['grey@y.test'])).toEqual({ refused: {} });
    const messages = await suite.smtp.messages();
    expect(messages.length).toBe(1);
    expect(rule.hits).toBe(1);
  });

  it('a fault at the end of data stores nothing; the retry is stored once', async () => {
    const suite = await smtpSuite();
    suite.faults.add({
      protocol: 'smtp',
      match: { command: 'END-OF-DATA' },
      action: { reply: '452 4.3.1 Insufficient system storage' },
      times: 1,
    });
    const t = transport(suite.smtp.port);
    const mail = { from: 'a@x.test', to: 'b@y.test', subject: 'eod', text: 'x' };
    await expect(t.sendMail(mail)).rejects.toMatchObject({ responseCode: 452 });
    expect(await suite.smtp.messages()).toEqual([]);
    await t.sendMail(mail);
    expect((await suite.smtp.messages()).length).toBe(1);
    const record = await suite.waitFor('smtp', (r) => r.fault !== undefined);
    expect(record.request).toBe('DATA');
    expect(record.response).toBe('452 Insufficient system storage');
  });

  it('421 in place of the greeting closes the connection (smtplib sees SMTPConnectError)', async () => {
    const suite = await smtpSuite();
    suite.faults.add({ protocol: 'smtp', match: { command: 'CONNECT' }, action: { reply: '421 4.3.2 Not now' } });
    const result = await smtplib(suite.smtp.port, ['b@y.test']);
    expect(result.error).toMatch(/^SMTPConnectError .*421/);
    const record = await suite.waitFor('smtp', (r) => r.fault !== undefined);
    expect(record).toMatchObject({ request: '(connect)', response: '421 Not now' });
  });

  it('closes without a reply at MAIL, and after a delay at DATA; the server lives on', async () => {
    const suite = await smtpSuite();
    suite.faults.add({ protocol: 'smtp', match: { command: 'MAIL' }, action: { close: true }, times: 1 });
    const t = transport(suite.smtp.port);
    const mail = { from: 'a@x.test', to: 'b@y.test', subject: 's', text: 'x' };
    await expect(t.sendMail(mail)).rejects.toThrow(/closed|unexpected/i);
    const closed = await suite.waitFor('smtp', (r) => r.fault !== undefined);
    expect(closed).toMatchObject({ request: 'MAIL FROM:<a@x.test>', response: '(closed by fault)' });
    suite.faults.add({ protocol: 'smtp', match: { command: 'DATA' }, action: { delayMs: 50 }, times: 1 });
    await t.sendMail(mail);
    expect((await suite.smtp.messages()).length).toBe(1);
  });

  it('refuses a rule on a command SMTP does not have, naming the field', async () => {
    const suite = await smtpSuite();
    expect(() => suite.faults.add({ protocol: 'smtp', match: { command: 'RCTP' }, action: { close: true } })).toThrow(
      /^match\.command: SMTP has no command RCTP/,
    );
    expect(() =>
      suite.faults.add({ protocol: 'smtp', match: { command: 'EHLO', target: 'x@y' }, action: { close: true } }),
    ).toThrow(/^match\.target: /);
  });
});
