import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { startSmtp, type TestSmtp } from './helpers.js';

const SENDERS = 20;
const PER_SENDER = 25;

const servers: TestSmtp[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('load (bounded: 500 messages on 127.0.0.1)', () => {
  it('stores every acknowledged message exactly once with 20 concurrent senders', async () => {
    const smtp = await startSmtp();
    servers.push(smtp);
    const acknowledged: string[] = [];
    await Promise.all(
      Array.from({ length: SENDERS }, async (_, sender) => {
        // Half keep one session open (pool), half open a connection per message.
        const pooled = sender % 2 === 0;
        const transport = nodemailer.createTransport({
          host: '127.0.0.1',
          port: smtp.port,
          pool: pooled,
          maxConnections: 1,
        });
        try {
          for (let i = 0; i < PER_SENDER; i++) {
            const subject = `s${sender}-m${i}`;
            const info = await transport.sendMail({
              from: `sender${sender}@example.test`,
              to: 'sink@example.test',
              subject,
              text: `${subject}\n${'x'.repeat(2000)}\n`,
            });
            if (/^250 /.test(info.response)) acknowledged.push(subject);
          }
        } finally {
          transport.close();
        }
      }),
    );
    expect(acknowledged).toHaveLength(SENDERS * PER_SENDER);
    const stored = (await smtp.store.list()).map((m) => m.subject);
    expect(stored).toHaveLength(SENDERS * PER_SENDER);
    expect(stored.sort()).toEqual(acknowledged.sort());
  }, 120_000);
});
