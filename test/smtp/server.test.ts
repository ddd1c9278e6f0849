import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeHeader, recordBytes } from '../../protocols/smtp/log-record.js';
import { CHUNK_BYTES } from '../../protocols/smtp/mail-draft.js';
import { RawClient } from '../helpers/raw-client.js';
import { testCa } from '../helpers/test-ca.js';
import { startSmtp, type TestSmtp } from './helpers.js';

const servers: TestSmtp[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Parameters<typeof startSmtp>[0] = {}): Promise<TestSmtp> {
  const smtp = await startSmtp(options);
  servers.push(smtp);
  return smtp;
}

/** A raw session: `say` sends a line and resolves with the complete reply to it. */
async function session(port: number) {
  const client = await RawClient.connect(port);
  clients.push(client);
  await client.waitFor(/^220 .*\r\n/);
  let consumed = client.text.length;
  const reply = async () => {
    // A reply ends with a line "NNN text" (no dash after the code).
    const text = await client.waitFor(new RegExp(`^[\\s\\S]{${consumed}}(?:\\d{3}-.*\\r\\n)*\\d{3}(?: .*)?\\r\\n`));
    const rest = text.slice(consumed);
    const m = /^(?:\d{3}-.*\r\n)*\d{3}(?: .*)?\r\n/.exec(rest);
    consumed += m?.[0].length ?? 0;
    return m?.[0] ?? '';
  };
  return {
    client,
    reply,
    async say(line: string): Promise<string> {
      client.send(`${line}\r\n`);
      return reply();
    },
  };
}

const plain = (user: string, pass: string) => Buffer.from(`\u0000${user}\u0000${pass}`).toString('base64');

describe('SmtpServer', () => {
  it('stores a message and records one exchange per command', async () => {
    const smtp = await start();
    const s = await session(smtp.port);
    const localPort = s.client.socket.localPort;
    const ehlo = await s.say('EHLO client.test');
    for (const ext of ['PIPELINING', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'SIZE 10485760'])
      expect(ehlo).toContain(`250-${ext}`.replace('250-SIZE', '250 SIZE'));
    expect(ehlo).not.toMatch(/AUTH|STARTTLS/);
    expect(await s.say('MAIL FROM:<a@b.test>')).toBe('250 2.1.0 Accepted\r\n');
    expect(await s.say('RCPT TO:<c@d.test>')).toBe('250 2.1.5 Accepted\r\n');
    expect(await s.say('DATA')).toMatch(/^354 /);
    const stored = await s.say('Subject: hello\r\n\r\nHi there\r\n.');
    const id = /^250 2\.6\.0 Stored (\S+)\r\n$/.exec(stored)?.[1];
    expect(id).toBeDefined();
    expect(await s.say('QUIT')).toMatch(/^221 /);
    const mail = await smtp.store.get(id ?? '');
    expect(mail).toMatchObject({
      subject: 'hello',
      text: 'Hi there\n',
      envelope: { mailFrom: 'a@b.test', rcptTo: ['c@d.test'] },
    });
    const records = smtp.records();
    expect(records.map((r) => [r.request, r.response, r.ok])).toEqual([
      ['(connect)', expect.stringMatching(/^220 mx\.test ESMTP/), true],
      ['EHLO client.test', expect.stringMatching(/^250 mx\.test Nice to meet you/), true],
      ['MAIL FROM:<a@b.test>', '250 Accepted', true],
      ['RCPT TO:<c@d.test>', '250 Accepted', true],
      ['DATA', `250 Stored ${id}`, true],
      ['QUIT', '221 Bye', true],
    ]);
    for (const r of records) {
      expect(r).toMatchObject({
        protocol: 'smtp',
        side: 'server',
        transport: 'tcp',
        session: expect.stringMatching(/^smtp-\d+$/),
      });
      expect(r.peer).toBe(`127.0.0.1:${localPort}`);
    }
    const data = records[4];
    expect(data?.bytesIn).toBeGreaterThanOrEqual('DATA\r\nSubject: hello\r\n\r\nHi there\r\n'.length);
  });

  it('greets at once: a client that talks before the greeting is not refused as an early talker', async () => {
    // smtp-server by itself waits 100 ms before greeting and answers anything sent earlier with
    // "421 You talk too soon"; our sessions start when the socket is accepted.
    const smtp = await start();
    const client = await RawClient.connect(smtp.port);
    clients.push(client);
    client.send('EHLO early.test\r\n');
    const text = await client.waitFor(/^220 [^\r]*\r\n250[ -]/);
    expect(text).not.toContain('421');
  });

  it('accepts the null sender and several recipients, keeping all of them in the envelope', async () => {
    const smtp = await start();
    const s = await session(smtp.port);
    await s.say('EHLO client.test');
    expect(await s.say('MAIL FROM:<>')).toMatch(/^250 /);
    for (const r of ['x@d.test', 'y@d.test', 'bcc@e.test']) expect(await s.say(`RCPT TO:<${r}>`)).toMatch(/^250 /);
    await s.say('DATA');
    expect(await s.say('To: x@d.test, y@d.test\r\nSubject: bounce\r\n\r\n.')).toMatch(/^250 /);
    const [summary] = await smtp.store.list();
    const mail = await smtp.store.get(summary?.id ?? '');
    expect(mail?.envelope).toEqual({ mailFrom: '', rcptTo: ['x@d.test', 'y@d.test', 'bcc@e.test'] });
    expect(mail?.to).toEqual(['x@d.test', 'y@d.test']);
  });

  it('answers bad sequences and unknown commands with 5xx and lives on', async () => {
    const smtp = await start();
    const s = await session(smtp.port);
    expect(await s.say('MAIL FROM:<a@b.test>')).toMatch(/^503 /);
    await s.say('EHLO client.test');
    expect(await s.say('RCPT TO:<c@d.test>')).toMatch(/^503 /);
    expect(await s.say('DATA')).toMatch(/^503 /);
    expect(await s.say('FROB')).toMatch(/^500 /);
    expect(await s.say('MAIL FROM:<not an address')).toMatch(/^501 /);
    expect(await s.say('NOOP')).toMatch(/^250 /);
    expect(smtp.records().filter((r) => !r.ok)).toHaveLength(5);
  });

  it('answers 555 to a MAIL or RCPT parameter it does not implement, and takes the ones its EHLO offers', async () => {
    const smtp = await start();
    const s = await session(smtp.port);
    const ehlo = await s.say('EHLO client.test');
    expect(ehlo).toMatch(/^250-8BITMIME\r$/m);
    expect(ehlo).not.toMatch(/DSN/);
    // RFC 5321 §4.1.1.11: not recognised or not implemented → 555 (5.5.4, RFC 3463).
    expect(await s.say('MAIL FROM:<a@b.test> FOO=bar')).toMatch(/^555 5\.5\.4 Unsupported option: FOO\r\n$/);
    // DSN is not offered, so its parameters are not taken either (RFC 3461 §4).
    expect(await s.say('MAIL FROM:<a@b.test> RET=HDRS')).toMatch(/^555 /);
    expect(await s.say('MAIL FROM:<a@b.test> SIZE=100 BODY=8BITMIME SMTPUTF8')).toMatch(/^250 /);
    expect(await s.say('RCPT TO:<c@d.test> NOTIFY=NEVER')).toMatch(/^555 5\.5\.4 Unsupported option: NOTIFY\r\n$/);
    expect(await s.say('RCPT TO:<c@d.test>')).toMatch(/^250 /);
    expect(await s.say('DATA')).toMatch(/^354 /);
    expect(await s.say('Subject: params\r\n\r\nbody\r\n.')).toMatch(/^250 /);
    const stored = await smtp.store.list();
    expect(stored.map((m) => m.to)).toEqual([['c@d.test']]);
  });

  it('refuses recipients over the limit with 452', async () => {
    const smtp = await start({ maxRecipients: 2 });
    const s = await session(smtp.port);
    await s.say('EHLO client.test');
    await s.say('MAIL FROM:<a@b.test>');
    expect(await s.say('RCPT TO:<1@d.test>')).toMatch(/^250 /);
    expect(await s.say('RCPT TO:<2@d.test>')).toMatch(/^250 /);
    expect(await s.say('RCPT TO:<3@d.test>')).toMatch(/^452 /);
  });

  it('refuses an oversized message with 552 and stores nothing', async () => {
    const smtp = await start({ maxMessageBytes: 1000 });
    const s = await session(smtp.port);
    expect(await s.say('EHLO client.test')).toContain('250 SIZE 1000');
    expect(await s.say('MAIL FROM:<a@b.test> SIZE=5000')).toMatch(/^552 /);
    await s.say('MAIL FROM:<a@b.test>');
    await s.say('RCPT TO:<c@d.test>');
    await s.say('DATA');
    expect(await s.say(`Subject: big\r\n\r\n${'x'.repeat(78)}\r\n`.repeat(40).concat('.'))).toMatch(/^552 /);
    expect(await smtp.store.list()).toEqual([]);
    expect(await fs.readdir(path.join(smtp.store.dir, 'tmp'))).toEqual([]);
    expect(await s.say('NOOP')).toMatch(/^250 /);
    expect(smtp.records().find((r) => r.request === 'DATA')?.response).toMatch(/^552 Message exceeds/);
  });

  it('says 451, never 250, when the message cannot be stored', async () => {
    // The disk fails the sync that would make the message durable.
    const smtp = await start({
      storeOptions: { io: { fdatasync: () => Promise.reject(new Error('EIO: simulated')) } },
    });
    const s = await session(smtp.port);
    await s.say('EHLO client.test');
    await s.say('MAIL FROM:<a@b.test>');
    await s.say('RCPT TO:<c@d.test>');
    await s.say('DATA');
    expect(await s.say('Subject: lost\r\n\r\n.')).toMatch(/^451 /);
    expect(await s.say('NOOP')).toMatch(/^250 /);
    expect(await smtp.store.list()).toEqual([]);
  });

  it('streams a large message into the store while it arrives, in chunks, never whole in memory', async () => {
    const smtp = await start();
    const s = await session(smtp.port);
    await s.say('EHLO client.test');
    await s.say('MAIL FROM:<a@b.test>');
    await s.say('RCPT TO:<c@d.test>');
    expect(await s.say('DATA')).toMatch(/^354 /);
    const line = `${'x'.repeat(998)}\r\n`;
    s.client.send(`Subject: stream\r\n\r\n${line.repeat(4096)}`);
    // Before the end of the data, most of the 4 MiB is in the log already.
    const logDir = path.join(smtp.store.dir, '.log');
    for (;;) {
      let bytes = 0;
      for (const name of await fs.readdir(logDir)) bytes += (await fs.stat(path.join(logDir, name))).size;
      if (bytes > 3_000_000) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await smtp.store.list()).toEqual([]);
    expect(await s.say('.')).toMatch(/^250 2\.6\.0 Stored /);
    const [summary] = await smtp.store.list();
    expect(summary?.subject).toBe('stream');
    const raw = await smtp.store.raw(summary?.id ?? '');
    expect(raw?.toString().endsWith(line)).toBe(true);
    expect(raw?.length).toBeGreaterThan(4096 * line.length);
    // No record in the log is much larger than a chunk: the message went to disk in pieces.
    for (const name of (await fs.readdir(logDir)).filter((n) => n.endsWith('.seg'))) {
      const bytes = await fs.readFile(path.join(logDir, name));
      for (let at = 0; at < bytes.length; ) {
        const header = decodeHeader(bytes.subarray(at));
        expect(header).toBeDefined();
        const total = recordBytes(header?.keyLength ?? 0, header?.dataLength ?? 0);
        expect(total).toBeLessThan(CHUNK_BYTES * 2);
        at += total;
      }
    }
  });

  it('lets a message in flight finish on close, then says 421', async () => {
    const smtp = await start();
    const s = await session(smtp.port);
    await s.say('EHLO client.test');
    await s.say('MAIL FROM:<a@b.test>');
    await s.say('RCPT TO:<c@d.test>');
    await s.say('DATA');
    s.client.send('Subject: late\r\n\r\nfirst half\r\n');
    await new Promise((r) => setTimeout(r, 50));
    const closed = smtp.server.close({ graceMs: 5_000 });
    await new Promise((r) => setTimeout(r, 50));
    s.client.send('second half\r\n.\r\n');
    expect(await s.reply()).toMatch(/^250 2\.6\.0 Stored /);
    expect(await s.reply()).toMatch(/^421 /);
    await closed;
    expect((await smtp.store.list()).map((m) => m.subject)).toEqual(['late']);
  });

  it('survives hostile input: binary junk, NUL bytes, an HTTP request, a failed TLS handshake', async () => {
    const smtp = await start({ tls: (await testCa()).material });
    const junk = await session(smtp.port);
    junk.client.send(Buffer.from([0, 1, 2, 255, 254, 13, 10]));
    expect(await junk.reply()).toMatch(/^5\d\d /);
    expect(await junk.say('NOOP\u0000\u0000')).toMatch(/^[25]\d\d /);
    const http = await RawClient.connect(smtp.port);
    clients.push(http);
    http.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await http.waitFor(/421 .*HTTP requests not allowed/);
    expect(await http.closedWithin(3_000)).toBe(true);
    const tls = await session(smtp.port);
    await tls.say('EHLO client.test');
    expect(await tls.say('STARTTLS')).toMatch(/^220 /);
    tls.client.send('this is not a TLS ClientHello\r\n');
    expect(await tls.client.closedWithin(5_000)).toBe(true);
    // The server lives on and forgets the broken sessions.
    const next = await session(smtp.port);
    expect(await next.say('NOOP')).toMatch(/^250 /);
    const deadline = Date.now() + 5_000;
    while (smtp.server.connections > 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(smtp.server.connections).toBe(2); // `junk` and `next`
  });

  describe('with accounts', () => {
    it('requires AUTH (530), refuses wrong credentials (535) and masks every secret', async () => {
      const smtp = await start({ users: [{ name: 'alice', pass: 's3cret' }] });
      const s = await session(smtp.port);
      expect(await s.say('EHLO client.test')).toContain('250-AUTH PLAIN LOGIN');
      expect(await s.say('MAIL FROM:<a@b.test>')).toMatch(/^530 /);
      expect(await s.say(`AUTH PLAIN ${plain('alice', 'wrong')}`)).toMatch(/^535 /);
      expect(await s.say('AUTH LOGIN')).toMatch(/^334 /);
      expect(await s.say(Buffer.from('alice').toString('base64'))).toMatch(/^334 /);
      expect(await s.say(Buffer.from('also-wrong').toString('base64'))).toMatch(/^535 /);
      expect(await s.say(`AUTH PLAIN ${plain('alice', 's3cret')}`)).toMatch(/^235 /);
      expect(await s.say('MAIL FROM:<a@b.test>')).toMatch(/^250 /);
      const requests = smtp.records().map((r) => `${r.request} → ${r.response}`);
      expect(requests).toEqual(
        expect.arrayContaining([
          'MAIL FROM:<a@b.test> → 530 Error: authentication Required',
          'AUTH PLAIN **** → 535 Authentication credentials invalid',
          'AUTH LOGIN **** → 535 Authentication credentials invalid',
          'AUTH PLAIN **** → 235 Authentication successful',
        ]),
      );
      const all = JSON.stringify(smtp.records());
      for (const secret of ['s3cret', 'wrong', plain('alice', 's3cret'), Buffer.from('also-wrong').toString('base64')])
        expect(all).not.toContain(secret);
    });

    it('offers STARTTLS with a certificate and no AUTH on a server without accounts', async () => {
      const smtp = await start({ tls: (await testCa()).material });
      const s = await session(smtp.port);
      const ehlo = await s.say('EHLO client.test');
      expect(ehlo).toContain('STARTTLS');
      expect(ehlo).not.toContain('AUTH');
    });
  });
});
