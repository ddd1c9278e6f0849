/**
 * Issue #17: an SMTP command line must be complete within its deadline. A client that keeps the
 * idle timer alive with a byte at a time of a line it never ends is told 421 and closed, while a
 * client from 127.0.0.2 is served; message content has no such deadline.
 */
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { testCa } from '../helpers/test-ca.js';
import { startSmtp, type TestSmtp } from './helpers.js';

let smtp: TestSmtp | undefined;
afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

/** A raw SMTP connection that collects everything the server says. */
function connect(port: number, localAddress = '127.0.0.1') {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  let text = '';
  const waiters: Array<() => void> = [];
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    for (const w of waiters.splice(0)) w();
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  /** Resolves once the server has said something matching `pattern`. */
  const until = (pattern: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (pattern.test(text)) resolve(text);
        else if (socket.destroyed) reject(new Error(`closed before ${pattern}: ${text}`));
        else waiters.push(check);
      };
      socket.once('close', check);
      check();
    });
  return { socket, closed, until, text: () => text };
}

describe('smtp: command line deadline', () => {
  it('says 421 and closes a client that dribbles a line it never ends', async () => {
    smtp = await startSmtp({ commandDeadlineMs: 300, idleTimeoutMs: 60_000 });
    const slow = connect(smtp.port);
    await slow.until(/^220 /m);
    slow.socket.write('HELO slow.test\r\nMAIL FROM:<');
    const drip = setInterval(() => {
      if (!slow.socket.destroyed) slow.socket.write('a');
    }, 20);
    try {
      // Served meanwhile: a whole session from another address.
      const good = connect(smtp.port, '127.0.0.2');
      await good.until(/^220 /m);
      good.socket.write('EHLO good.test\r\nMAIL FROM:<a@good.test>\r\nRCPT TO:<b@good.test>\r\nDATA\r\n');
      await good.until(/^354 /m);
      good.socket.write('Subject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n');
      await good.until(/^221 /m);
      await slow.closed;
    } finally {
      clearInterval(drip);
    }
    expect(slow.text()).toMatch(/^421 .*Command line not completed within 300 ms/m);
    expect(await smtp.store.list()).toHaveLength(1);
  });

  it('puts no deadline on message content, only on command lines', async () => {
    smtp = await startSmtp({ commandDeadlineMs: 300 });
    const c = connect(smtp.port);
    await c.until(/^220 /m);
    c.socket.write('EHLO t.test\r\nMAIL FROM:<a@t.test>\r\nRCPT TO:<b@t.test>\r\nDATA\r\n');
    await c.until(/^354 /m);
    // Content dribbled past the command deadline, each piece mid-line.
    c.socket.write('Subject: slow\r\n\r\nbody');
    for (let i = 0; i < 30; i++) {
      await new Promise((r) => setTimeout(r, 20));
      c.socket.write('.');
    }
    c.socket.write('\r\n.\r\n');
    await c.until(/^250 .*Stored/m);
    c.socket.write('QUIT\r\n');
    await c.until(/^221 /m);
    expect(c.text()).not.toMatch(/^421 /m);
  });

  it('keeps the deadline after STARTTLS, on the TLS socket', async () => {
    const ca = await testCa();
    smtp = await startSmtp({ commandDeadlineMs: 300, idleTimeoutMs: 60_000, tls: ca.material });
    const c = connect(smtp.port);
    await c.until(/^220 /m);
    c.socket.write('EHLO t.test\r\nSTARTTLS\r\n');
    await c.until(/^220 .*TLS/im);
    const secure = tls.connect({ socket: c.socket, ca: ca.caPem, servername: 'localhost' });
    let text = '';
    secure.on('data', (d: Buffer) => {
      text += d.toString('latin1');
    });
    secure.on('error', () => {});
    await new Promise<void>((r) => secure.once('secureConnect', () => r()));
    secure.write('EHLO t.test\r\nMAIL FROM:<');
    const drip = setInterval(() => {
      if (!secure.destroyed) secure.write('a');
    }, 20);
    try {
      await new Promise<void>((r) => secure.once('close', () => r()));
    } finally {
      clearInterval(drip);
    }
    expect(text).toMatch(/^250[ -]/m);
    expect(text).toMatch(/^421 .*Command line not completed within 300 ms/m);
  });
});
