/**
 * The http service as the CLI and startSuite run it: the {@link HttpServer} serving `DATA/files`
 * and the httpbin-style routes. Its {@link Router} is open, so the runner can mount more routes
 * on it before start (the suite mounts its console there).
 * @module
 */
import path from 'node:path';
import type { ExchangeLog, ExchangeRecord } from '../../shared/exchange.js';
import { urlHost } from '../../shared/net-util.js';
import type { Service, ServiceContext } from '../../shared/service.js';
import { type App, createApp } from './app.js';
import type { HttpServiceOptions } from './options.js';
import type { Router } from './router.js';
import { HttpServer } from './server.js';

export type { HttpServiceOptions } from './options.js';

export class HttpService implements Service {
  readonly protocol = 'http' as const;
  /** The folder served under /files/ (`DATA/files`, the FTP root). */
  readonly filesRoot: string;
  #server: HttpServer;
  #app: App;
  #log: ExchangeLog;

  constructor(ctx: ServiceContext, options: HttpServiceOptions = {}) {
    this.#log = ctx.log;
    this.filesRoot = path.join(ctx.dataDir, 'files');
    this.#app = createApp({ ...options, filesRoot: this.filesRoot });
    this.#server = new HttpServer({ ...options, host: ctx.host, log: ctx.log }, this.#app.router.handle);
  }

  /** The routes this server answers; mount more before {@link start}. */
  get router(): Router {
    return this.#app.router;
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

  close(options: { graceMs?: number } = {}): Promise<void> {
    return this.#server.close(options);
  }

  /** The requests this server answered, as exchange records, oldest first (for tests' assertions). */
  requests(): ExchangeRecord[] {
    return this.#log.recent({ protocol: 'http' }).filter((r) => r.side === 'server');
  }
}
