/**
 * `startSuite()`: minisuite as in-process fake servers for other projects' tests. Defaults differ
 * from `minisuite start` where tests need them to: every port is 0 (a free one) and the data
 * folder is a fresh temporary one, removed on close.
 * @module
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RecordInput } from '../protocols/dns/service.js';
import type { StubInput } from '../protocols/http/stub-schema.js';
import { TimeoutError } from '../shared/errors.js';
import { ExchangeLog, type ExchangeRecord, PROTOCOLS, type Protocol } from '../shared/exchange.js';
import { formatPretty } from '../shared/exchange-format.js';
import type { FaultRuleInput } from '../shared/faults/rule.js';
import { type AbsenceOptions, EXPECT_NO_MS, expectAbsence, type Mark } from '../shared/mark.js';
import { type ConfigFile, resolveConfig, validate } from './config.js';
import { SuiteFaults } from './faults.js';
import { type LimitInput, limitInputSchema } from './limit-settings.js';
import type { ServiceTypes } from './registry.js';
import { type Running, type RunOptions, type RunTls, startServices } from './runner.js';

export interface SuiteOptions {
  /** Protocols to start; default all four. */
  readonly protocols?: readonly Protocol[];
  /** Listen address; default 127.0.0.1. */
  readonly host?: string;
  /** Ports per protocol; default 0 (a free port) for each. */
  readonly ports?: Partial<Record<Protocol, number>>;
  /** Data root; default a fresh temporary folder, removed on close. A given folder is kept. */
  readonly data?: string;
  /**
   * DNS zones: paths of RFC 1035 master files, or zone text inline (any string with a newline);
   * default the built-in `suite.test`.
   */
  readonly zones?: readonly string[];
  /** DNS records added after start: objects, or zone-file lines ("api.suite.test. 60 IN A 10.0.0.7"). */
  readonly records?: readonly (RecordInput | string)[];
  /**
   * Files to put in the FTP root (also served at /files over HTTP) before the servers start:
   * an object of path → content, or the path of a folder whose contents are copied.
   */
  readonly files?: Readonly<Record<string, string | Uint8Array>> | string;
  /**
   * TLS on every protocol (HTTPS and DoH, SMTPS and STARTTLS, FTPS and AUTH TLS, DoT) with a
   * certificate from the data folder's own CA, each TLS port a free one; default false. See {@link Suite.tls}.
   */
  readonly tls?: boolean;
  /** More names for the certificate (besides localhost, 127.0.0.1, ::1 and the built-in zone's). */
  readonly tlsNames?: readonly string[];
  /** FTP accounts, "NAME:PASS[:PERMS[:HOME]]" or objects (pyftpdlib's letters `elradfmwMT`, default all; home under the FTP root); default none. */
  readonly ftpUsers?: readonly (string | { name: string; pass: string; perms?: string; home?: string })[];
  /** Anonymous (read-only) FTP; default true. */
  readonly ftpAnonymous?: boolean;
  /** SMTP accounts; when any is given, AUTH is required; default none. */
  readonly smtpUsers?: readonly (string | { name: string; pass: string })[];
  /** Largest SMTP message in bytes; default 10 MiB. */
  readonly smtpMaxSize?: number;
  /** Messages the SMTP store keeps (the oldest go first); default 10,000. */
  readonly smtpMaxMessages?: number;
  /** HTTP stubs set at start (the shape of `POST /api/stubs`); default none. */
  readonly httpStubs?: readonly StubInput[];
  /** Body bytes kept per recorded HTTP request; default 64 KiB. */
  readonly httpRecordedBodyBytes?: number;
  /**
   * Server limits per protocol, named and checked as the config file's (README, Limits):
   * `{ dns: { queryDeadlineMs: 1000 }, ftp: { maxLoginFailuresPerAddress: 3 } }`. A bad value
   * throws a ConfigError naming it. Default each server's own.
   */
  readonly limits?: LimitInput;
  /** Exchange records kept in memory; default 10,000. */
  readonly logCapacity?: number;
  /** Fault rules in force from the start (SPEC.md, Faults); more with `suite.faults.add()`. Default none. */
  readonly faults?: readonly FaultRuleInput[];
  /** Mechanism hook (tests of the suite itself). */
  readonly runOptions?: RunOptions;
}

export interface WaitOptions {
  /** How long to wait; default 5,000 ms. */
  readonly timeoutMs?: number;
  /** Only exchanges after this mark (`suite.mark()`); default any, past or future. */
  readonly since?: Mark;
}

/** Default timeout of `waitFor`. */
export const WAIT_TIMEOUT_MS = 5_000;

/** A running suite. Protocol handles throw when that protocol was not started. */
export class Suite {
  readonly log: ExchangeLog;
  readonly dataDir: string;
  /** Fault rules: `add({...})` → a handle with `.hits` and `.remove()`, `list()`, `clear()`. */
  readonly faults: SuiteFaults;
  #running: Running;
  #ownsData: boolean;
  #closing: Promise<void> | undefined;

  constructor(running: Running, log: ExchangeLog, dataDir: string, ownsData: boolean) {
    this.#running = running;
    this.faults = new SuiteFaults(running.faults);
    this.log = log;
    this.dataDir = dataDir;
    this.#ownsData = ownsData;
  }

  #get<P extends Protocol>(protocol: P): ServiceTypes[P] {
    const service = this.#running.services.get(protocol);
    if (!service)
      throw new Error(
        `${protocol} was not started in this suite (protocols: ${[...this.#running.services.keys()].join(', ')})`,
      );
    return service as ServiceTypes[P];
  }

  get http(): ServiceTypes['http'] {
    return this.#get('http');
  }
  get ftp(): ServiceTypes['ftp'] {
    return this.#get('ftp');
  }
  get smtp(): ServiceTypes['smtp'] {
    return this.#get('smtp');
  }
  get dns(): ServiceTypes['dns'] {
    return this.#get('dns');
  }

  /**
   * With `tls`: the CA to trust (`ca`, PEM; `caFile`, its path in the data folder) and the names
   * the servers' certificate is valid for. Undefined without `tls`.
   */
  get tls(): RunTls | undefined {
    return this.#running.tls;
  }

  /** Protocols started in this suite. */
  get protocols(): Protocol[] {
    return [...this.#running.services.keys()];
  }

  /** Every exchange record kept so far, oldest first. */
  get exchanges(): ExchangeRecord[] {
    return this.log.toArray();
  }

  /**
   * Resolves with the first exchange of `protocol` matching `predicate`, past or future. A timeout
   * rejects with an error that says what was awaited and lists the last exchanges of that protocol.
   */
  waitFor(
    protocol: Protocol,
    predicate: (record: ExchangeRecord) => boolean = () => true,
    options: WaitOptions = {},
  ): Promise<ExchangeRecord> {
    const timeoutMs = options.timeoutMs ?? WAIT_TIMEOUT_MS;
    const after = options.since?.exchanges ?? 0;
    const match = (r: ExchangeRecord) => r.id > after && r.protocol === protocol && predicate(r);
    const past = this.log.toArray().find(match);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        const last = this.log.recent({ protocol, limit: 10 });
        const listing = last.length > 0 ? last.map((r) => `  ${formatPretty(r)}`).join('\n') : '  (none)';
        reject(
          new TimeoutError(
            `waitFor(${protocol}, ${predicate.toString().slice(0, 200)}) timed out after ${timeoutMs} ms; last ${protocol} exchanges:\n${listing}`,
          ),
        );
      }, timeoutMs);
      timer.unref();
      const unsubscribe = this.log.subscribe((r) => {
        if (!match(r)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(r);
      });
    });
  }

  /**
   * A point in the run: pass it as `since` to `waitFor`, `expectNo`, `smtp.messages`,
   * `smtp.expectNoMessage`, `dns.queries` and `http.requests` to see only what came after it.
   */
  mark(): Mark {
    const has = (p: Protocol) => this.#running.services.has(p);
    return {
      exchanges: this.log.total,
      httpRequests: has('http') ? this.http.requestCount : 0,
      mail: has('smtp') ? this.smtp.messageCount : 0,
      dnsQueries: has('dns') ? this.dns.queryCount : 0,
      time: new Date().toISOString(),
    };
  }

  /**
   * Resolves when no exchange of `protocol` matching `predicate` arrives for `forMs` (and none did
   * since `since`, when given); otherwise rejects at once, listing the offending exchange.
   */
  expectNo(
    protocol: Protocol,
    predicate: (record: ExchangeRecord) => boolean = () => true,
    options: AbsenceOptions = {},
  ): Promise<void> {
    const forMs = options.forMs ?? EXPECT_NO_MS;
    const match = (r: ExchangeRecord) => r.protocol === protocol && predicate(r);
    return expectAbsence(
      forMs,
      (offending) => {
        const unsubscribe = this.log.subscribe((r) => {
          if (match(r)) offending(formatPretty(r));
        });
        const since = options.since;
        if (since) {
          const past = this.log.toArray().find((r) => r.id > since.exchanges && match(r));
          if (past) offending(formatPretty(past));
        }
        return unsubscribe;
      },
      `${protocol} exchange matching ${predicate.toString().slice(0, 200)}`,
    );
  }

  /** Closes every server, then removes the temporary data folder; idempotent. */
  close(options: { graceMs?: number } = {}): Promise<void> {
    this.#closing ??= (async () => {
      await this.#running.close({ graceMs: options.graceMs ?? 1_000 });
      if (this.#ownsData) await fs.rm(this.dataDir, { recursive: true, force: true });
    })();
    return this.#closing;
  }
}

/** Starts the chosen protocols on free ports with a fresh data folder; see {@link SuiteOptions}. */
export async function startSuite(options: SuiteOptions = {}): Promise<Suite> {
  const limits = validate(limitInputSchema, options.limits, 'limits');
  const ownsData = options.data === undefined;
  // Resolved once: the seed files are checked against the root, and a relative root never matches.
  const dataDir = path.resolve(options.data ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-'))));
  let zones: string[] = [];
  try {
    await seedFiles(path.join(dataDir, 'files'), options.files);
    zones = await zoneFiles(path.join(dataDir, 'zones'), options.zones ?? []);
  } catch (err) {
    if (ownsData) await fs.rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const ports = Object.fromEntries(PROTOCOLS.map((p) => [p, { port: options.ports?.[p] ?? 0 }])) as Record<
    Protocol,
    { port: number }
  >;
  const layer: ConfigFile = {
    protocols: options.protocols ? [...options.protocols] : [...PROTOCOLS],
    host: options.host ?? '127.0.0.1',
    data: dataDir,
    tls: options.tls ?? false,
    ...(options.tlsNames ? { tlsNames: [...options.tlsNames] } : {}),
    http: {
      ...ports.http,
      httpsPort: 0,
      ...(options.httpStubs ? { stubs: [...options.httpStubs] } : {}),
      ...(options.httpRecordedBodyBytes !== undefined ? { recordedBodyBytes: options.httpRecordedBodyBytes } : {}),
      ...limits.http,
    },
    ftp: {
      ...ports.ftp,
      ftpsPort: 0,
      users: options.ftpUsers ? [...options.ftpUsers] : [],
      anonymous: options.ftpAnonymous ?? true,
      ...limits.ftp,
    },
    smtp: {
      ...ports.smtp,
      smtpsPort: 0,
      users: options.smtpUsers ? [...options.smtpUsers] : [],
      ...(options.smtpMaxSize !== undefined ? { maxSize: options.smtpMaxSize } : {}),
      ...(options.smtpMaxMessages !== undefined ? { maxMessages: options.smtpMaxMessages } : {}),
      ...limits.smtp,
    },
    dns: { ...ports.dns, zones, dotPort: 0, ...limits.dns },
    ...(options.faults ? { faults: [...options.faults] } : {}),
  };
  const log = new ExchangeLog(options.logCapacity !== undefined ? { capacity: options.logCapacity } : {});
  try {
    const running = await startServices(resolveConfig(layer), log, options.runOptions);
    const suite = new Suite(running, log, dataDir, ownsData);
    if (options.records && options.records.length > 0) {
      try {
        for (const record of options.records) suite.dns.addRecord(record);
      } catch (err) {
        await suite.close({ graceMs: 0 });
        throw err;
      }
    }
    return suite;
  } catch (err) {
    if (ownsData) await fs.rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** Writes seed files into the FTP root; paths may not leave it. */
async function seedFiles(root: string, files: SuiteOptions['files']): Promise<void> {
  await fs.mkdir(root, { recursive: true });
  if (files === undefined) return;
  if (typeof files === 'string') {
    await fs.cp(files, root, { recursive: true });
    return;
  }
  for (const [name, content] of Object.entries(files)) {
    const target = path.resolve(root, name.replace(/^\/+/, ''));
    if (!target.startsWith(root + path.sep)) throw new Error(`files: '${name}' leaves the FTP root`);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, content);
  }
}

/** Inline zone texts are written to files so the DNS server loads every zone the same way. */
async function zoneFiles(dir: string, zones: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const [i, zone] of zones.entries()) {
    if (!zone.includes('\n')) {
      out.push(path.resolve(zone));
      continue;
    }
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, `inline-${i + 1}.zone`);
    await fs.writeFile(file, zone);
    out.push(file);
  }
  return out;
}
