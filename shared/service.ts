/**
 * The contract between a protocol and whatever runs it (the CLI, `startSuite`).
 * @module
 */
import type { ExchangeLog, Protocol } from './exchange.js';
import type { FaultEngine } from './faults/engine.js';
import type { TlsMaterial } from './tls.js';

/** What every service gets from the runner. */
export interface ServiceContext {
  /** Listen address. */
  readonly host: string;
  /** Data root: FTP files in `files/`, mail in `mail/`, TLS material in `tls/`. */
  readonly dataDir: string;
  /** The one shared exchange log. */
  readonly log: ExchangeLog;
  /** Certificate and key when TLS is on, else undefined. */
  readonly tls: TlsMaterial | undefined;
  /** The services of the same run (started or not), for cross-protocol needs (HTTP health, DNS SRV ports). */
  readonly peers: () => readonly Service[];
  /** The run's fault rules, which every protocol consults; undefined: no faults. */
  readonly faults?: FaultEngine | undefined;
}

/** A running protocol server, as the CLI and `startSuite` see it. */
export interface Service {
  readonly protocol: Protocol;
  /** Binds and starts accepting; rejects with a one-line MinisuiteError (port in use...). */
  start(): Promise<void>;
  /** The bound port (the requested one before start). */
  readonly port: number;
  /** The bound implicit-TLS port (HTTPS, SMTPS, FTPS, DoT) when TLS is on, else undefined. */
  readonly tlsPort?: number | undefined;
  /** URLs for the ready line: `dns listening on udp://127.0.0.1:5300 tcp://127.0.0.1:5300`. */
  urls(): string[];
  /** Connections open now (0 for connectionless). */
  openConnections(): number;
  /** UDP datagrams dropped unread as garbage (a flood filter), for servers that have one. */
  udpDropped?(): number;
  /** True while started and accepting. */
  healthy(): boolean;
  /** Graceful, idempotent close (see TcpServer.close). */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** The ready line SPEC.md fixes: `<protocol> listening on <url> [<url>...]`. */
export function readyLine(service: Service): string {
  return `${service.protocol} listening on ${service.urls().join(' ')}`;
}
