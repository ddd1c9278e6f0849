/**
 * Starts an HttpService on 127.0.0.1:0 with a fresh data folder and the suite's console mounted
 * on its router (as a run mounts it), for the HTTP and console tests.
 * @module
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HttpService, type HttpServiceOptions } from '../../protocols/http/service.js';
import type { MailStore } from '../../protocols/smtp/mail-store.js';
import { ExchangeLog } from '../../shared/exchange.js';
import type { Service, ServiceContext } from '../../shared/service.js';
import { mountConsole } from '../../suite/console/console.js';

export interface TestHttp {
  readonly service: HttpService;
  /** The mail store the console serves (its own: no SMTP in these runs). */
  readonly mail: MailStore;
  readonly log: ExchangeLog;
  readonly dataDir: string;
  readonly files: string;
  readonly url: string;
  close(): Promise<void>;
}

export async function startHttp(
  options: HttpServiceOptions & { sseKeepAliveMs?: number } = {},
  peers: Service[] = [],
): Promise<TestHttp> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-http-'));
  const log = new ExchangeLog();
  const all: Service[] = [...peers];
  const ctx: ServiceContext = { host: '127.0.0.1', dataDir, log, tls: undefined, peers: () => all };
  const { sseKeepAliveMs, ...httpOptions } = options;
  const service = new HttpService(ctx, { port: 0, ...httpOptions });
  const console = mountConsole(service.router, ctx, undefined, {
    ...(sseKeepAliveMs !== undefined ? { sseKeepAliveMs } : {}),
    http: { stubs: service.stubs, requests: service.requestLog },
  });
  all.unshift(service);
  await console.start();
  await service.start();
  return {
    service,
    mail: console.options.mail,
    log,
    dataDir,
    files: path.join(dataDir, 'files'),
    url: service.url,
    async close() {
      await service.close({ graceMs: 0 });
      await console.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the first server record whose request matches. */
export function waitForRecord(log: ExchangeLog, request: string | RegExp, timeoutMs = 5_000) {
  const matches = (r: { side: string; request: string }) =>
    r.side === 'server' && (typeof request === 'string' ? r.request === request : request.test(r.request));
  const found = log.toArray().find(matches);
  if (found) return Promise.resolve(found);
  return new Promise<ReturnType<ExchangeLog['toArray']>[number]>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(
        new Error(
          `no record for ${request}; have ${log
            .toArray()
            .map((r) => r.request)
            .join(' | ')}`,
        ),
      );
    }, timeoutMs);
    const off = log.subscribe((r) => {
      if (!matches(r)) return;
      clearTimeout(timer);
      off();
      resolve(r);
    });
  });
}
