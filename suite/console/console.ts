/**
 * The suite's web console and API (the page and its assets, `/api/exchanges`, `/api/events`,
 * `/api/mail`, `/healthz`, `/metrics`, `/api/status`, `/api/dns`), mounted on the HTTP server's
 * router. It reads the whole run: the one exchange log, the services, SMTP's one mail store,
 * the DNS service's zones and queries, and the TLS certificate.
 *
 * A new console route goes in its own file here and is registered in one line in {@link Console.mount}.
 * @module
 */
import path from 'node:path';
import { DnsService } from '../../protocols/dns/service.js';
import type { RequestLog } from '../../protocols/http/request-log.js';
import type { Router } from '../../protocols/http/router.js';
import type { StubStore } from '../../protocols/http/stubs.js';
import { MailStore } from '../../protocols/smtp/mail-store.js';
import type { ExchangeLog } from '../../shared/exchange.js';
import type { FaultEngine } from '../../shared/faults/engine.js';
import type { Service, ServiceContext } from '../../shared/service.js';
import type { TlsMaterial } from '../../shared/tls.js';
import { registerDnsRoutes } from './api-dns.js';
import { registerExchangeRoutes } from './api-exchanges.js';
import { registerFaultRoutes } from './api-faults.js';
import { registerFeaturesRoute } from './api-features.js';
import { registerMailRoutes } from './api-mail.js';
import { registerRequestRoutes } from './api-requests.js';
import { registerStatusRoute } from './api-status.js';
import { registerStubRoutes } from './api-stubs.js';
import { ExchangeMetrics, registerHealthRoutes } from './health-metrics.js';
import { registerMailPreview } from './mail-preview.js';
import { loadAssets, registerConsoleAssets } from './static-assets.js';

export interface ConsoleOptions {
  /** The run's exchange log. */
  readonly log: ExchangeLog;
  /** The services of the run (the HTTP one included), for health, metrics, status and the page. */
  readonly services: () => readonly Service[];
  /** The mail store `/api/mail` serves: SMTP's own when SMTP runs. */
  readonly mail: MailStore;
  /** True when the console owns {@link mail} (no SMTP in the run) and must create its folder. */
  readonly ownsMail?: boolean;
  /** Server-Sent Events keep-alive interval; default SSE_KEEP_ALIVE_MS. */
  readonly sseKeepAliveMs?: number;
  /** The HTTP server's stubs and recorded requests, for `/api/stubs` and `/api/requests`. */
  readonly http?: { readonly stubs: StubStore; readonly requests: RequestLog };
  /** The run's DNS service, when it has one (zones and queries for the DNS panel). */
  readonly dns?: () => DnsService | undefined;
  /** The certificate in use, when TLS is on (shown on the status panel; never the key). */
  readonly tls?: TlsMaterial | undefined;
  /** The run's fault rules, for `/api/faults` and the fault counts of `/metrics`. */
  readonly faults?: FaultEngine | undefined;
}

/** The console of one run. */
export class Console {
  readonly options: ConsoleOptions;
  /** Counts from the moment the console is created, so /metrics covers the run from its first exchange. */
  readonly metrics: ExchangeMetrics;
  /** Subscriptions the routes hold (status counters, the DNS query ring). */
  #closers: (() => void)[] = [];

  constructor(options: ConsoleOptions) {
    this.options = options;
    this.metrics = new ExchangeMetrics(options.log, options.faults);
  }

  /** Adds the console's routes to `router`; one line per route file. */
  mount(router: Router): void {
    const o = this.options;
    registerConsoleAssets(router, loadAssets());
    registerFeaturesRoute(router);
    registerExchangeRoutes(router, {
      log: o.log,
      ...(o.sseKeepAliveMs !== undefined ? { keepAliveMs: o.sseKeepAliveMs } : {}),
    });
    registerMailRoutes(router, o.mail);
    registerMailPreview(router, o.mail);
    registerHealthRoutes(router, { metrics: this.metrics, services: o.services });
    if (o.http) registerStubRoutes(router, o.http.stubs);
    if (o.http) registerRequestRoutes(router, o.http.requests);
    this.#closers.push(registerStatusRoute(router, { log: o.log, services: o.services, tls: o.tls }));
    this.#closers.push(registerDnsRoutes(router, o.dns ?? (() => undefined)));
    if (o.faults) registerFaultRoutes(router, o.faults);
  }

  /** Creates the mail folder when the console owns the store. */
  async start(): Promise<void> {
    if (this.options.ownsMail) await this.options.mail.init();
  }

  /** Stops counting and listening; closes the mail store when it is the console's own. */
  async close(): Promise<void> {
    this.metrics.close();
    for (const close of this.#closers.splice(0)) close();
    if (this.options.ownsMail) await this.options.mail.close();
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
    dns: () => ctx.peers().find((s): s is DnsService => s instanceof DnsService),
    tls: ctx.tls,
    faults: ctx.faults,
    ...options,
  });
  console.mount(router);
  return console;
}
