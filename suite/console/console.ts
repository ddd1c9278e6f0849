/**
 * The suite's web console and API (dashboard, `/api/exchanges`, `/api/events`, `/api/mail`,
 * `/healthz`, `/metrics`), mounted on the HTTP server's router. It reads the whole run: the one
 * exchange log, the services, and SMTP's one mail store.
 *
 * A new console route goes in its own file here and is registered in one line in {@link Console.mount}.
 * @module
 */
import path from 'node:path';
import type { RequestLog } from '../../protocols/http/request-log.js';
import type { Router } from '../../protocols/http/router.js';
import type { StubStore } from '../../protocols/http/stubs.js';
import { MailStore } from '../../protocols/smtp/mail-store.js';
import type { ExchangeLog } from '../../shared/exchange.js';
import type { Service, ServiceContext } from '../../shared/service.js';
import { registerExchangeRoutes } from './api-exchanges.js';
import { registerMailRoutes } from './api-mail.js';
import { registerRequestRoutes } from './api-requests.js';
import { registerStubRoutes } from './api-stubs.js';
import { registerDashboardRoutes } from './dashboard.js';
import { ExchangeMetrics, registerHealthRoutes } from './health-metrics.js';

export interface ConsoleOptions {
  /** The run's exchange log. */
  readonly log: ExchangeLog;
  /** The services of the run (the HTTP one included), for health, metrics and the dashboard. */
  readonly services: () => readonly Service[];
  /** The mail store `/api/mail` serves: SMTP's own when SMTP runs. */
  readonly mail: MailStore;
  /** True when the console owns {@link mail} (no SMTP in the run) and must create its folder. */
  readonly ownsMail?: boolean;
  /** Server-Sent Events keep-alive interval; default SSE_KEEP_ALIVE_MS. */
  readonly sseKeepAliveMs?: number;
  /** The HTTP server's stubs and recorded requests, for `/api/stubs` and `/api/requests`. */
  readonly http?: { readonly stubs: StubStore; readonly requests: RequestLog };
}

/** The console of one run. */
export class Console {
  readonly options: ConsoleOptions;
  /** Counts from the moment the console is created, so /metrics covers the run from its first exchange. */
  readonly metrics: ExchangeMetrics;

  constructor(options: ConsoleOptions) {
    this.options = options;
    this.metrics = new ExchangeMetrics(options.log);
  }

  /** Adds the console's routes to `router`; one line per route file. */
  mount(router: Router): void {
    const o = this.options;
    registerDashboardRoutes(router, o.services);
    registerExchangeRoutes(router, {
      log: o.log,
      ...(o.sseKeepAliveMs !== undefined ? { keepAliveMs: o.sseKeepAliveMs } : {}),
    });
    registerMailRoutes(router, o.mail);
    registerHealthRoutes(router, { metrics: this.metrics, services: o.services });
    if (o.http) registerStubRoutes(router, o.http.stubs);
    if (o.http) registerRequestRoutes(router, o.http.requests);
  }

  /** Creates the mail folder when the console owns the store. */
  async start(): Promise<void> {
    if (this.options.ownsMail) await this.options.mail.init();
  }

  /** Stops counting. */
  close(): void {
    this.metrics.close();
  }
}

/**
 * Creates the console of a run and mounts it on `router`. `/api/mail` serves `smtpStore`, SMTP's
 * one store; without SMTP in the run the console opens `DATA/mail` itself (still one store).
 */
export function mountConsole(
  router: Router,
  ctx: ServiceContext,
  smtpStore: MailStore | undefined,
  options: Pick<ConsoleOptions, 'sseKeepAliveMs' | 'http'> = {},
): Console {
  const console = new Console({
    log: ctx.log,
    services: ctx.peers,
    mail: smtpStore ?? new MailStore(path.join(ctx.dataDir, 'mail')),
    ownsMail: smtpStore === undefined,
    ...options,
  });
  console.mount(router);
  return console;
}
