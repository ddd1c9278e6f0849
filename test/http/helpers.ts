/**
 * Starts an HttpService on 127.0.0.1:0 with a fresh data folder and the suite's console mounted
 * on its router (as a run mounts it), for the HTTP and console tests.
 * @module
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { HttpService, type HttpServiceOptions } from '../../protocols/http/service.js';
import type { MailStore } from '../../protocols/smtp/mail-store.js';
import { ExchangeLog } from '../../shared/exchange.js';
import type { Service, ServiceContext } from '../../shared/service.js';
import { mountConsole } from '../../suite/console/console.js';
import { RawClient } from '../helpers/raw-client.js';

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

/**
 * A fresh service for each test of the calling file (started in `beforeEach`, closed in
 * `afterEach`); the handle reads through to the current one.
 */
export function startHttpEach(options: Parameters<typeof startHttp>[0] = {}): TestHttp {
  let current: TestHttp | undefined;
  beforeEach(async () => {
    current = await startHttp(options);
  });
  afterEach(() => current?.close());
  const now = (): TestHttp => {
    if (!current) throw new Error('startHttpEach: the service runs only inside a test');
    return current;
  };
  return {
    get service() {
      return now().service;
    },
    get mail() {
      return now().mail;
    },
    get log() {
      return now().log;
    },
    get dataDir() {
      return now().dataDir;
    },
    get files() {
      return now().files;
    },
    get url() {
      return now().url;
    },
    close: () => now().close(),
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

/** Adds a stub through the console's `/api/stubs` (JSON POST), as a client of the API would. */
export function postStub(url: string, stub: unknown): Promise<Response> {
  return fetch(`${url}/api/stubs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(stub),
  });
}

/** Sends a raw request head (and body) to 127.0.0.1:port and returns the status and the whole reply. */
export async function rawRequest(port: number, request: string): Promise<{ status: number; text: string }> {
  const client = await RawClient.connect(port);
  try {
    client.send(request);
    await client.waitFor(/^HTTP\/1\.1 \d{3} [\s\S]*\r\n\r\n/, 10_000);
    await client.closedWithin(2_000);
    return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(client.text)?.[1]), text: client.text };
  } finally {
    client.destroy();
  }
}
