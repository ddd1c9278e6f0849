/**
 * The http service as the CLI and startSuite run it: the {@link HttpServer} with the suite's routes,
 * serving `DATA/files` and the mail store in `DATA/mail`.
 * @module
 */
import path from 'node:path';
import type { ExchangeLog, ExchangeRecord } from '../../shared/exchange.js';
import { urlHost } from '../../shared/net-util.js';
import type { Service, ServiceContext } from '../../shared/service.js';
import type { SuiteConfig } from '../../suite/config.js';
import { MailStore } from '../smtp/mail-store.js';
import { type App, createApp } from './app.js';
import { ExchangeMetrics } from './health-metrics.js';
import type { HttpbinOptions } from './httpbin.js';
import { HttpServer, type HttpServerOptions } from './server.js';

/** Options beyond the suite config (limits for tests and embedding). */
export interface HttpServiceOptions extends Omit<HttpServerOptions, 'host' | 'port' | 'log'>, HttpbinOptions {
  /** Server-Sent Events keep-alive interval. */
  readonly sseKeepAliveMs?: number;
}

export class HttpService implements Service {
  readonly protocol = 'http' as const;
  /** The mail store the API serves (`DATA/mail`). */
  readonly mail: MailStore;
  /** The folder served under /files/ (`DATA/files`, the FTP root). */
  readonly filesRoot: string;
  #server: HttpServer;
  #metrics: ExchangeMetrics;
  #app: App;
  #log: ExchangeLog;

  constructor(ctx: ServiceContext, config: SuiteConfig, options: HttpServiceOptions = {}) {
    this.#log = ctx.log;
    this.filesRoot = path.join(ctx.dataDir, 'files');
    this.mail = new MailStore(path.join(ctx.dataDir, 'mail'));
    // Created now (before any service starts) so /metrics counts the run from its first exchange.
    this.#metrics = new ExchangeMetrics(ctx.log);
    this.#app = createApp({
      ...options,
      log: ctx.log,
      filesRoot: this.filesRoot,
      mail: this.mail,
      metrics: this.#metrics,
      services: ctx.peers,
    });
    this.#server = new HttpServer(
      { ...options, host: ctx.host, port: config.http.port, log: ctx.log },
      this.#app.router.handle,
    );
  }

  /** Listen address. */
  get host(): string {
    return this.#server.host;
  }

  /** The bound port (the requested one before start). */
  get port(): number {
    return this.#server.port;
  }

  /** "http://127.0.0.1:8080". */
  get url(): string {
    return `http://${urlHost(this.host)}:${this.port}`;
  }

  async start(): Promise<void> {
    await this.#app.files.realRoot();
    await this.mail.init();
    await this.#server.listen();
  }

  urls(): string[] {
    return [this.url];
  }

  openConnections(): number {
    return this.#server.openConnections;
  }

  healthy(): boolean {
    return this.#server.state === 'listening';
  }

  async close(options: { graceMs?: number } = {}): Promise<void> {
    await this.#server.close(options);
    this.#metrics.close();
  }

  /** The requests this server answered, as exchange records, oldest first (for tests' assertions). */
  requests(): ExchangeRecord[] {
    return this.#log.recent({ protocol: 'http' }).filter((r) => r.side === 'server');
  }
}
