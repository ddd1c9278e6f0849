import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { type Suite, startSuite } from '../../suite/start-suite.js';

const suites: Suite[] = [];
afterEach(async () => {
  await Promise.all(suites.splice(0).map((s) => s.close()));
});

async function suite(): Promise<Suite> {
  const s = await startSuite({ protocols: ['smtp'] });
  suites.push(s);
  return s;
}

function send(port: number, subject: string, to = 'u@example.test') {
  return nodemailer
    .createTransport({ host: '127.0.0.1', port })
    .sendMail({ from: 'a@example.test', to, subject, text: subject });
}

describe('SmtpService (test kit)', () => {
  it('exposes port, host and urls, and waits for past and future messages', async () => {
    const s = await suite();
    expect(s.smtp.host).toBe('127.0.0.1');
    expect(s.smtp.urls()).toEqual([`smtp://127.0.0.1:${s.smtp.port}`]);
    expect(s.smtp.healthy()).toBe(true);
    await send(s.smtp.port, 'first');
    const past = await s.smtp.waitForMessage((m) => m.subject === 'first');
    expect(past).toMatchObject({ subject: 'first', text: 'first\n', envelope: { mailFrom: 'a@example.test' } });
    const future = s.smtp.waitForMessage((m) => m.to.includes('later@example.test'), { timeoutMs: 10_000 });
    await send(s.smtp.port, 'second', 'later@example.test');
    expect((await future).subject).toBe('second');
    expect((await s.smtp.messages()).map((m) => m.subject)).toEqual(['second', 'first']);
    expect((await s.smtp.messages({ parsed: true })).map((m) => m.text)).toEqual(['second\n', 'first\n']);
    // The search syntax of GET /api/mail?q=.
    expect((await s.smtp.messages({ query: 'to:later' })).map((m) => m.subject)).toEqual(['second']);
    expect((await s.smtp.messages({ query: 'first', parsed: true })).map((m) => m.text)).toEqual(['first\n']);
    await expect(
      s.waitFor('smtp', (r) => r.request === 'DATA' && /^250 Stored/.test(r.response)),
    ).resolves.toBeDefined();
  });

  it('says what it waited for and what is stored when it times out', async () => {
    const s = await suite();
    await send(s.smtp.port, 'unrelated');
    await expect(s.smtp.waitForMessage((m) => m.subject === 'never', { timeoutMs: 300 })).rejects.toThrow(
      /waitForMessage\(.*never.*\) timed out after 300 ms; 1 message\(s\) stored[\s\S]*"unrelated"/,
    );
  });

  it('clears the store', async () => {
    const s = await suite();
    await send(s.smtp.port, 'a');
    await send(s.smtp.port, 'b');
    expect(await s.smtp.clear()).toBe(2);
    expect(await s.smtp.messages()).toEqual([]);
    expect(s.smtp.store).toBeDefined();
  });
});

describe('smtp limits in the config file', () => {
  it('are validated and reach the server', async () => {
    const { resolveConfig, validateConfig } = await import('../../suite/config.js');
    expect(resolveConfig(validateConfig({ smtp: { maxRecipients: 2, idleTimeoutMs: 0 } }, 'cfg')).smtp).toMatchObject({
      maxRecipients: 2,
      idleTimeoutMs: 0,
      maxLineLength: 4096,
    });
    expect(() => validateConfig({ smtp: { maxLineLength: 100 } }, 'cfg')).toThrow(/cfg smtp\.maxLineLength/);
  });
});
