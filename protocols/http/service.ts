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
import type { RecordedRequest, RequestFilter, RequestLog } from './request-log.js';
import type { Router } from './router.js';
import { HttpServer } from './server.js';
import type { StubInput } from './stub-schema.js';
import type { StubStore, StubView } from './stubs.js';

export type { HttpServiceOptions } from './options.js';

/** What `stub()` returns: the stub's id, the requests it answered, and a way to remove it. */
export interface StubHandle {
  readonly id: string;
  /** The requests this stub answered so far, oldest first. */
  readonly calls: RecordedRequest[];
  /** The stub as listed by `GET /api/stubs` (with its call count). */
  readonly view: StubView | undefined;
  /** Removes the stub; true when it was still set. */
  remove(): boolean;
}

/** `requests()` filter: the fields of {@link RequestFilter}, `since` a mark, or a predicate. */
export type RequestQuery =
  | (Omit<RequestFilter, 'afterId'> & { readonly since?: { readonly httpRequests: number } })
  | ((request: RecordedRequest) => boolean);

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
    this.#app = createApp({
      ...options,
      recordedRequests: {
        ...(options.recordedRequests !== undefined ? { capacity: options.recordedRequests } : {}),
        ...(options.recordedBodyBytes !== undefined ? { maxBodyBytes: options.recordedBodyBytes } : {}),
      },
      filesRoot: this.filesRoot,
    });
    this.#server = new HttpServer(
      { ...options, host: ctx.host, log: ctx.log, faults: ctx.faults, ...(ctx.tls ? { tls: ctx.tls } : {}) },
      this.#app.handle,
    );
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

  /** The bound HTTPS port when TLS is on. */
  get tlsPort(): number | undefined {
    return this.#server.httpsPort;
  }

  /** "https://127.0.0.1:8443" when TLS is on, else undefined. */
  get httpsUrl(): string | undefined {
    const port = this.#server.httpsPort;
    return port === undefined ? undefined : `https://${urlHost(this.host)}:${port}`;
  }

  urls(): string[] {
    const https = this.httpsUrl;
    return https ? [this.url, https] : [this.url];
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

  /**
   * The requests this server received, oldest first: method, target, headers, body (cut at
   * `recordedBodyBytes`), status, the stub that answered. A filter narrows them by method, path
   * pattern, stub, `since` a `suite.mark()`, or a predicate.
   */
  requests(filter: RequestQuery = {}): RecordedRequest[] {
    if (typeof filter === 'function') return this.#app.requests.list().filter(filter);
    const { since, ...rest } = filter;
    return this.#app.requests.list({ ...rest, ...(since ? { afterId: since.httpRequests } : {}) });
  }

  /** Requests recorded so far (for marks). */
  get requestCount(): number {
    return this.#app.requests.total;
  }

  /** The stubs of this server (the console's `/api/stubs` uses the same store). */
  get stubs(): StubStore {
    return this.#app.stubs;
  }

  /** The recorded requests (the console's `/api/requests` reads the same log). */
  get requestLog(): RequestLog {
    return this.#app.requests;
  }

  /** Adds a stub (SPEC shape); throws a `StubError` naming the bad field. */
  stub(input: StubInput): StubHandle {
    const store = this.#app.stubs;
    const requests = this.#app.requests;
    const { id } = store.add(input);
    return {
      id,
      get calls() {
        return requests.list({ stub: id });
      },
      get view() {
        return store.get(id);
      },
      remove: () => store.remove(id),
    };
  }

  /** The server's exchange records, oldest first. */
  exchanges(): ExchangeRecord[] {
    return this.#log.recent({ protocol: 'http' }).filter((r) => r.side === 'server');
  }
}
