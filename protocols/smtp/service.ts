/**
 * The smtp service as the CLI and `startSuite` run it, plus the helpers the test kit uses
 * (`messages()`, `waitForMessage()`, `clear()`).
 * @module
 */
import path from 'node:path';
import { TimeoutError } from '../../shared/errors.js';
import type { AbsenceOptions } from '../../shared/mark.js';
import { urlHost } from '../../shared/net-util.js';
import type { Service, ServiceContext } from '../../shared/service.js';
import { MailMarks } from './mail-marks.js';
import { MailStore, type MailSummary, type StoredMail } from './mail-store.js';
import { SMTP_SERVICE_DEFAULTS, type SmtpServiceOptions } from './options.js';
import { SmtpServer } from './server.js';

/** What `messages({ since })` reads of a `suite.mark()`. */
type MailMark = { readonly mail: number };

/** Default timeout of {@link SmtpService.waitForMessage}. */
export const WAIT_FOR_MESSAGE_MS = 5_000;

export class SmtpService implements Service {
  readonly protocol = 'smtp' as const;
  /** The Maildir every accepted message is stored in (`DATA/mail`). */
  readonly store: MailStore;
  readonly server: SmtpServer;
  #started = false;
  #marks: MailMarks;

  constructor(ctx: ServiceContext, options: SmtpServiceOptions = {}) {
    const { maxMessages, ...serverOptions } = options;
    this.store = new MailStore(path.join(ctx.dataDir, 'mail'), {
      maxMessages: maxMessages ?? SMTP_SERVICE_DEFAULTS.maxMessages,
    });
    this.#marks = new MailMarks(this.store);
    this.server = new SmtpServer({
      ...serverOptions,
      store: this.store,
      log: ctx.log,
      faults: ctx.faults,
      host: ctx.host,
      ...(ctx.tls ? { tls: ctx.tls } : {}),
    });
  }

  get port(): number {
    return this.server.port;
  }

  get host(): string {
    return this.server.host;
  }

  async start(): Promise<void> {
    await this.server.listen();
    this.#started = true;
  }

  /** The implicit-TLS port (SMTPS), or undefined without TLS. */
  get tlsPort(): number | undefined {
    return this.server.smtpsPort;
  }

  urls(): string[] {
    const host = urlHost(this.host);
    const smtps = this.tlsPort;
    return [`smtp://${host}:${this.port}`, ...(smtps !== undefined ? [`smtps://${host}:${smtps}`] : [])];
  }

  openConnections(): number {
    return this.server.connections;
  }

  healthy(): boolean {
    return this.#started && this.server.listening;
  }

  async close(options: { graceMs?: number } = {}): Promise<void> {
    await this.server.close(options);
    await this.store.close();
  }

  /**
   * Stored messages, newest first: summaries, or parsed with `{ parsed: true }` (attachments with
   * their content). `query` keeps those matching a search in the syntax of `GET /api/mail?q=`
   * (see mail-query.ts: words, "phrases", `from:`, `to:`, `subject:`, `-word`); `since` those
   * stored after that `suite.mark()`.
   */
  messages(options?: { parsed?: false; query?: string; since?: MailMark }): Promise<MailSummary[]>;
  messages(options: { parsed: true; query?: string; since?: MailMark }): Promise<StoredMail[]>;
  async messages(
    options: { parsed?: boolean; query?: string; since?: MailMark } = {},
  ): Promise<MailSummary[] | StoredMail[]> {
    const since = options.since;
    const all = options.query ? await this.store.index.search(options.query) : await this.store.list();
    const list = since ? all.filter((m) => this.#marks.isAfter(m.id, since.mail)) : all;
    if (!options.parsed) return list;
    const parsed = await Promise.all(list.map((s) => this.store.get(s.id)));
    return parsed.filter((m): m is StoredMail => m !== undefined);
  }

  /**
   * Resolves with the first stored message (oldest first, then those still to come) that matches
   * `predicate`, parsed. A timeout rejects with an error naming what was awaited and what is stored.
   */
  waitForMessage(
    predicate: (mail: StoredMail) => boolean = () => true,
    options: { timeoutMs?: number } = {},
  ): Promise<StoredMail> {
    const timeoutMs = options.timeoutMs ?? WAIT_FOR_MESSAGE_MS;
    return new Promise<StoredMail>((resolve, reject) => {
      const seen = new Set<string>();
      let done = false;
      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.store.off('message', onMessage);
        fn();
      };
      const check = async (id: string) => {
        if (done || seen.has(id)) return;
        seen.add(id);
        const mail = await this.store.get(id).catch(() => undefined);
        if (mail && predicate(mail)) finish(() => resolve(mail));
      };
      const onMessage = (summary: MailSummary) => {
        void check(summary.id).catch((err: unknown) => finish(() => reject(err)));
      };
      const timer = setTimeout(() => {
        void this.store.list().then(
          (list) => {
            const listing =
              list.length > 0
                ? list
                    .slice(0, 10)
                    .map((m) => `  ${m.id}  from ${m.from || '<>'} to ${m.to.join(', ')}: ${JSON.stringify(m.subject)}`)
                    .join('\n')
                : '  (none)';
            finish(() =>
              reject(
                new TimeoutError(
                  `waitForMessage(${predicate.toString().slice(0, 200)}) timed out after ${timeoutMs} ms; ${list.length} message(s) stored, newest:\n${listing}`,
                ),
              ),
            );
          },
          (err: unknown) => finish(() => reject(err)),
        );
      }, timeoutMs);
      timer.unref();
      // Subscribe before looking at the past, so nothing delivered in between is missed.
      this.store.on('message', onMessage);
      void this.store
        .list()
        .then(async (list) => {
          for (const summary of list.reverse()) await check(summary.id);
        })
        .catch((err: unknown) => finish(() => reject(err)));
    });
  }

  /** Messages stored since start (for marks). */
  get messageCount(): number {
    return this.#marks.count;
  }

  /**
   * Resolves when no message matching `predicate` (default: any) is stored for `forMs` (nor since
   * `since`, when given); otherwise rejects at once with the message listed.
   */
  expectNoMessage(predicate: (mail: StoredMail) => boolean = () => true, options: AbsenceOptions = {}): Promise<void> {
    return this.#marks.expectNone(predicate, options, `message matching ${predicate.toString().slice(0, 200)}`);
  }

  /** Deletes every stored message; resolves with how many. */
  clear(): Promise<number> {
    return this.store.clear();
  }
}
