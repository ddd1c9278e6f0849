/**
 * Starts an SMTP server on 127.0.0.1:0 with a fresh Maildir for a test.
 * @module
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MailStore, type MailStoreOptions } from '../../protocols/smtp/mail-store.js';
import { SmtpServer, type SmtpServerOptions } from '../../protocols/smtp/server.js';
import { ExchangeLog, type ExchangeRecord } from '../../shared/exchange.js';

export interface TestSmtp {
  readonly server: SmtpServer;
  readonly store: MailStore;
  readonly log: ExchangeLog;
  readonly port: number;
  readonly dir: string;
  /** Server-side exchange records so far. */
  records(): ExchangeRecord[];
  close(): Promise<void>;
}

export async function startSmtp(
  options: Partial<Omit<SmtpServerOptions, 'store' | 'log'>> & { storeOptions?: MailStoreOptions } = {},
): Promise<TestSmtp> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-smtp-'));
  const store = new MailStore(path.join(dir, 'mail'), options.storeOptions);
  const log = new ExchangeLog();
  const server = new SmtpServer({ name: 'mx.test', ...options, store, log, host: '127.0.0.1', port: 0 });
  const port = await server.listen();
  return {
    server,
    store,
    log,
    port,
    dir,
    records: () => log.toArray(),
    async close() {
      await server.close({ graceMs: 0 });
      await store.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until `check` returns true (polling), or throws after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${check.toString()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves once `file` exists (the Maildir view writes files shortly after the 250). */
export async function waitForFile(file: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fs.access(file);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
