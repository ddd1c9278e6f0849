import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { MailStore } from '../../protocols/smtp/mail-store.js';
import { type StartedChild, startChild } from './child.js';

const SENDERS = 8;
/** Per sender, so the load is bounded even if the kill came late. */
const MAX_PER_SENDER = 200;
/** Acknowledged messages to wait for before the kill. */
const KILL_AFTER = 120;

const dirs: string[] = [];
const children: StartedChild[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.child.kill('SIGKILL');
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

function body(subject: string): string {
  return `${subject}\n${'line of text\n'.repeat(200)}END ${subject}\n`;
}

describe('crash safety', () => {
  it('keeps every message that got a 250 complete on disk after kill -9 mid-load', async () => {
    const data = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-crash-'));
    dirs.push(data);
    const server = await startChild(['smtp', '--smtp-port', '0', '--data', data]);
    children.push(server);
    const acked = new Map<string, string>(); // subject → stored id
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      server.child.kill('SIGKILL');
    };
    await Promise.all(
      Array.from({ length: SENDERS }, async (_, sender) => {
        const transport = nodemailer.createTransport({
          host: '127.0.0.1',
          port: server.port,
          pool: true,
          maxConnections: 1,
        });
        try {
          for (let i = 0; i < MAX_PER_SENDER && !killed; i++) {
            const subject = `s${sender}-m${i}`;
            const info = await transport.sendMail({
              from: 'a@example.test',
              to: 'b@example.test',
              subject,
              text: body(subject),
            });
            const id = /^250 \S+ Stored (\S+)$/.exec(info.response)?.[1];
            if (id) acked.set(subject, id);
            if (acked.size >= KILL_AFTER) kill();
          }
        } catch {
          // The server died under this sender: expected once killed.
        } finally {
          transport.close();
        }
      }),
    );
    expect(await server.exited).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
    // Started again on the same data, the server completes the Maildir before it is ready.
    const restarted = await startChild(['smtp', '--smtp-port', '0', '--data', data]);
    children.push(restarted);
    const dir = path.join(data, 'mail', 'new');
    const names = await fs.readdir(dir);
    for (const [subject, id] of acked) {
      expect(names).toContain(id);
      const text = await fs.readFile(path.join(dir, id), 'utf8');
      expect(text).toContain(`Subject: ${subject}\r\n`);
      expect(text).toContain(`END ${subject}\r\n`);
    }
    // Whatever else is in new/ is complete too, and no message is there twice.
    const subjects: string[] = [];
    for (const name of names) {
      const text = await fs.readFile(path.join(dir, name), 'utf8');
      const subject = /^Subject: (\S+)\r$/m.exec(text)?.[1] ?? '';
      subjects.push(subject);
      expect(text).toContain(`END ${subject}\r\n`);
    }
    expect(new Set(subjects).size).toBe(subjects.length);
    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toBe(0);
    // The store itself lists each acknowledged message exactly once.
    const store = new MailStore(path.join(data, 'mail'));
    const listed = (await store.list()).map((m) => m.subject);
    await store.close();
    expect(new Set(listed).size).toBe(listed.length);
    for (const subject of acked.keys()) expect(listed).toContain(subject);
  }, 60_000);
});
