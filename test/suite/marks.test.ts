/**
 * Marks and absence with real clients: `suite.mark()` and `since` on waitFor, smtp.messages,
 * dns.queries and http.requests; `smtp.expectNoMessage` and `expectNo` passing when nothing comes
 * and failing, with the offender listed, when something does.
 */
import { Resolver } from 'node:dns/promises';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Suite, startSuite } from '../../suite/start-suite.js';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ protocols: ['http', 'smtp', 'dns'] });
});
afterAll(() => suite.close());

function send(subject: string, to = 'user@example.test') {
  return nodemailer
    .createTransport({ host: '127.0.0.1', port: suite.smtp.port })
    .sendMail({ from: 'app@example.test', to, subject, text: `body of ${subject}` });
}

describe('marks', () => {
  it('since: mark sees only what came after it, in every protocol', async () => {
    const resolver = new Resolver();
    resolver.setServers([`127.0.0.1:${suite.dns.port}`]);
    await send('before the mark');
    await resolver.resolve4('www.suite.test');
    await fetch(`${suite.http.url}/get?when=before`);

    const mark = suite.mark();
    await send('after the mark');
    await resolver.resolve4('ftp.suite.test');
    await fetch(`${suite.http.url}/get?when=after`);

    expect((await suite.smtp.messages({ since: mark })).map((m) => m.subject)).toEqual(['after the mark']);
    expect((await suite.smtp.messages()).length).toBeGreaterThanOrEqual(2);
    expect(suite.dns.queries({ since: mark }).map((q) => q.name)).toEqual(['ftp.suite.test']);
    expect(suite.http.requests({ since: mark }).map((r) => r.target)).toEqual(['/get?when=after']);
    const http = await suite.waitFor('http', (r) => r.request.startsWith('GET /get'), { since: mark });
    expect(http.request).toBe('GET /get?when=after');
    // Without since, waitFor finds the first one ever.
    expect((await suite.waitFor('http', (r) => r.request.startsWith('GET /get'))).request).toBe('GET /get?when=before');
  });
});

describe('expecting nothing', () => {
  it('expectNoMessage passes when nothing matching comes', async () => {
    await send('an ordinary message');
    await expect(
      suite.smtp.expectNoMessage((m) => m.subject === 'never sent', { forMs: 150 }),
    ).resolves.toBeUndefined();
  });

  it('expectNoMessage fails with the message listed when one comes', async () => {
    const waiting = suite.smtp.expectNoMessage((m) => m.to.includes('blocked@example.test'), { forMs: 20_000 });
    const caught = waiting.catch((err: unknown) => err);
    await send('should not go out', 'blocked@example.test');
    const err = (await caught) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('UnexpectedError');
    expect(err.message).toMatch(/expected no message matching/);
    expect(err.message).toContain('to blocked@example.test: "should not go out"');
  });

  it('expectNoMessage with since also counts a message already stored after the mark', async () => {
    const mark = suite.mark();
    await send('already here');
    await expect(
      suite.smtp.expectNoMessage((m) => m.subject === 'already here', { forMs: 20_000, since: mark }),
    ).rejects.toThrow(/"already here"/);
  });

  it('expectNo fails at once listing the offending exchange, passes when none comes', async () => {
    const mark = suite.mark();
    await fetch(`${suite.http.url}/status/503`);
    await expect(
      suite.expectNo('http', (r) => r.response.startsWith('503'), { since: mark, forMs: 20_000 }),
    ).rejects.toThrow(/GET \/status\/503\s+→ 503 Service Unavailable/);
    const watching = suite.expectNo('http', (r) => r.request === 'DELETE /nothing', { forMs: 20_000 });
    const caught = watching.catch((err: unknown) => err);
    await fetch(`${suite.http.url}/nothing`, { method: 'DELETE' });
    expect(String(await caught)).toContain('DELETE /nothing');
    await expect(
      suite.expectNo('dns', (r) => r.request.includes('never.test'), { forMs: 100 }),
    ).resolves.toBeUndefined();
  });
});
