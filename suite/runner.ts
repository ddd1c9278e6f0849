/**
 * Starts the selected services of one run on one exchange log, all or nothing: when one fails to
 * start, those already started are closed before the error is passed on.
 * @module
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { builtinNames } from '../protocols/dns/builtin-zone.js';
import { DnsService } from '../protocols/dns/service.js';
import { HttpService } from '../protocols/http/service.js';
import { SmtpService } from '../protocols/smtp/service.js';
import { ConfigError } from '../shared/errors.js';
import type { ExchangeLog, Protocol } from '../shared/exchange.js';
import type { FaultEngine } from '../shared/faults/engine.js';
import { defaultCertificateNames } from '../shared/net-util.js';
import type { Service, ServiceContext } from '../shared/service.js';
import { loadCertificateFiles, type TlsMaterial } from '../shared/tls.js';
import { type Console, mountConsole } from './console/console.js';
import { registerDohRoute } from './doh.js';
import { createFaultEngine } from './faults.js';
import { SERVICE_FACTORIES, type ServiceFactory, START_ORDER } from './registry.js';
import type { SuiteConfig } from './settings.js';

export interface RunOptions {
  /** Replaces the factory of some protocols (tests of the mechanism). */
  readonly factories?: Partial<Record<Protocol, ServiceFactory>>;
  /** Called after each service is listening. */
  readonly onReady?: (service: Service) => void;
}

/** The TLS material of a run: the leaf the servers present, and the CA that issued it. */
export interface RunTls extends TlsMaterial {
  /** PEM of the data folder's CA; undefined with a user-given certificate (`--tls-cert`). */
  readonly ca: string | undefined;
  /** Path of the CA certificate (`DATA/tls/ca.pem`); undefined with a user-given certificate. */
  readonly caFile: string | undefined;
  /** Names the generated leaf is valid for (empty with a user-given certificate). */
  readonly names: readonly string[];
}

/** The services of one run, started. */
export class Running {
  readonly services: ReadonlyMap<Protocol, Service>;
  /** The console on the HTTP server, when HTTP runs. */
  readonly console: Console | undefined;
  /** The run's fault rules (from the config, then changed through the APIs). */
  readonly faults: FaultEngine;
  /** Undefined without TLS. */
  readonly tls: RunTls | undefined;
  #closing: Promise<void> | undefined;
  constructor(services: Map<Protocol, Service>, faults: FaultEngine, console?: Console, tls?: RunTls) {
    this.services = services;
    this.faults = faults;
    this.console = console;
    this.tls = tls;
  }
  /** Closes every service at once (each gracefully), then the console; idempotent. */
  close(options: { graceMs?: number } = {}): Promise<void> {
    this.#closing ??= Promise.allSettled([...this.services.values()].map((s) => s.close(options))).then(() =>
      this.console?.close(),
    );
    return this.#closing;
  }
}

/** Creates the data folders, TLS material if asked, and starts the services in START_ORDER. */
export async function startServices(config: SuiteConfig, log: ExchangeLog, options: RunOptions = {}): Promise<Running> {
  const dataDir = path.resolve(config.data);
  await fs.mkdir(dataDir, { recursive: true });
  // A folder we cannot write fails here, naming it, not later inside one service.
  await fs.access(dataDir, fs.constants.W_OK);
  // Rules are checked before anything listens: a bad one names its field and nothing starts.
  const faults = createFaultEngine(config.faults);
  const tls = config.tls ? await tlsMaterial(config, dataDir) : undefined;
  const services = new Map<Protocol, Service>();
  const ctx: ServiceContext = { host: config.host, dataDir, log, tls, peers: () => [...services.values()], faults };
  const order = START_ORDER.filter((p) => config.protocols.includes(p));
  for (const protocol of order) {
    const factory = options.factories?.[protocol] ?? SERVICE_FACTORIES[protocol];
    services.set(protocol, factory(ctx, config));
  }
  const console = consoleOf(services, ctx);
  if (tls) mountDoh(services);
  const started: Service[] = [];
  try {
    await console?.start();
    for (const service of services.values()) {
      await service.start();
      started.push(service);
      options.onReady?.(service);
    }
  } catch (err) {
    // Nothing half-started is left listening.
    await Promise.allSettled([...services.values()].map((s) => s.close({ graceMs: 0 })));
    await console?.close();
    throw err;
  }
  return new Running(services, faults, console, tls);
}

/** Mounts the console on the HTTP server's router, serving SMTP's one mail store. */
function consoleOf(services: ReadonlyMap<Protocol, Service>, ctx: ServiceContext): Console | undefined {
  const http = services.get('http');
  if (!(http instanceof HttpService)) return undefined;
  const smtp = services.get('smtp');
  return mountConsole(http.router, ctx, smtp instanceof SmtpService ? smtp.store : undefined, {
    http: { stubs: http.stubs, requests: http.requestLog },
  });
}

/** Names of the generated certificate: loopback, the listen address, `--tls-name`, the built-in zone's. */
export function certificateNames(config: SuiteConfig): string[] {
  return [
    ...defaultCertificateNames(config.host),
    ...config.tlsNames,
    ...(config.dns.zones.length === 0 ? builtinNames() : []),
  ];
}

/** DNS over HTTPS: the DNS service's answers on the HTTP server's router, when both run. */
function mountDoh(services: ReadonlyMap<Protocol, Service>): void {
  const http = services.get('http');
  const dns = services.get('dns');
  if (http instanceof HttpService && dns instanceof DnsService) registerDohRoute(http.router, dns);
}

/** The user's certificate when one is configured, else a leaf from the data folder's CA (DATA/tls). */
async function tlsMaterial(config: SuiteConfig, dataDir: string): Promise<RunTls> {
  if (config.tlsCert === undefined && config.tlsKey === undefined) {
    // Loaded only with TLS: the X.509 library would cost every run without it its start-up time.
    const { localCaMaterial, tlsFolder } = await import('../shared/tls-ca.js');
    return localCaMaterial(tlsFolder(dataDir), certificateNames(config));
  }
  if (config.tlsCert === undefined)
    throw new ConfigError('tlsCert', 'a TLS key was given without its certificate (--tls-cert)');
  if (config.tlsKey === undefined)
    throw new ConfigError('tlsKey', 'a TLS certificate was given without its key (--tls-key)');
  const material = await loadCertificateFiles(config.tlsCert, config.tlsKey);
  return { ...material, ca: undefined, caFile: undefined, names: [] };
}
