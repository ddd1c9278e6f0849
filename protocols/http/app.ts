/**
 * The routes of the HTTP surface (SPEC.md), assembled on one {@link Router}.
 * @module
 */
import type { ExchangeLog } from '../../shared/exchange.js';
import type { Service } from '../../shared/service.js';
import type { MailStore } from '../smtp/mail-store.js';
import { registerExchangeRoutes } from './api-exchanges.js';
import { registerMailRoutes } from './api-mail.js';
import { registerDashboardRoutes } from './dashboard.js';
import { FileRoutes } from './files.js';
import { type ExchangeMetrics, registerHealthRoutes } from './health-metrics.js';
import { type HttpbinOptions, registerHttpbinRoutes } from './httpbin.js';
import { Router } from './router.js';

export interface AppOptions extends HttpbinOptions {
  readonly log: ExchangeLog;
  /** Folder served under /files/ (the FTP root). */
  readonly filesRoot: string;
  readonly mail: MailStore;
  readonly metrics: ExchangeMetrics;
  /** The services of the run (this one included), for health, metrics and the dashboard. */
  readonly services: () => readonly Service[];
  /** Server-Sent Events keep-alive interval. */
  readonly sseKeepAliveMs?: number;
}

export interface App {
  readonly router: Router;
  readonly files: FileRoutes;
}

export function createApp(options: AppOptions): App {
  const router = new Router();
  const files = new FileRoutes(options.filesRoot);
  registerDashboardRoutes(router, options.services);
  files.register(router);
  registerExchangeRoutes(router, {
    log: options.log,
    ...(options.sseKeepAliveMs !== undefined ? { keepAliveMs: options.sseKeepAliveMs } : {}),
  });
  registerMailRoutes(router, options.mail);
  registerHealthRoutes(router, { metrics: options.metrics, services: options.services });
  registerHttpbinRoutes(router, options);
  return { router, files };
}
