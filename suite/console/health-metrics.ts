/**
 * `GET /healthz` (200 when every started service of the run is up, else 503) and `GET /metrics`
 * (Prometheus text exposition format 0.0.4, names prefixed `minisuite_`, labelled by protocol).
 * The counters are hand-written over the exchange log: a handful of numbers need no registry,
 * and several suites in one process must not share one (prom-client's default registry is global).
 * @module
 */

import { sendJson, sendText } from '../../protocols/http/replies.js';
import type { Router } from '../../protocols/http/router.js';
import { type ExchangeLog, PROTOCOLS, type Protocol, type Side } from '../../shared/exchange.js';
import type { FaultEngine, FaultHit } from '../../shared/faults/engine.js';
import type { Service } from '../../shared/service.js';

interface Counters {
  exchanges: number;
  errors: number;
  bytesIn: number;
  bytesOut: number;
  seconds: number;
}

/** Counts exchanges, errors and bytes per protocol and side from the moment it is created. */
/** Rules whose fault counts /metrics keeps (rules added and removed in a loop stay bounded). */
export const FAULT_RULES_COUNTED = 10_000;

export class ExchangeMetrics {
  #counters = new Map<Protocol, Map<Side, Counters>>();
  /** Faults applied per rule id, with the rule's protocol; kept after the rule is removed (a counter). */
  #faults = new Map<string, { protocol: string; hits: number }>();
  #unsubscribe: () => void;
  #unsubscribeFaults: () => void = () => {};

  constructor(log: ExchangeLog, faults?: FaultEngine) {
    if (faults) {
      const onHit = (hit: FaultHit, protocol: string) => {
        const entry = this.#faults.get(hit.ruleId);
        if (entry) entry.hits++;
        else if (this.#faults.size < FAULT_RULES_COUNTED) this.#faults.set(hit.ruleId, { protocol, hits: 1 });
      };
      faults.on('hit', onHit);
      this.#unsubscribeFaults = () => faults.off('hit', onHit);
    }
    // Records mostly come in runs of one protocol and side: the last counters are kept at hand.
    let last: { protocol: Protocol; side: Side; counters: Counters } | undefined;
    this.#unsubscribe = log.subscribe((r) => {
      let c: Counters;
      if (last !== undefined && last.protocol === r.protocol && last.side === r.side) c = last.counters;
      else {
        c = this.#countersOf(r.protocol, r.side);
        last = { protocol: r.protocol, side: r.side, counters: c };
      }
      c.exchanges++;
      if (!r.ok) c.errors++;
      c.bytesIn += r.bytesIn;
      c.bytesOut += r.bytesOut;
      c.seconds += r.durationMs / 1000;
    });
  }

  #countersOf(protocol: Protocol, side: Side): Counters {
    // A map per protocol: no key string is built for every record.
    let bySide = this.#counters.get(protocol);
    if (!bySide) {
      bySide = new Map();
      this.#counters.set(protocol, bySide);
    }
    let c = bySide.get(side);
    if (!c) {
      c = { exchanges: 0, errors: 0, bytesIn: 0, bytesOut: 0, seconds: 0 };
      bySide.set(side, c);
    }
    return c;
  }

  /** Stops counting. */
  close(): void {
    this.#unsubscribe();
    this.#unsubscribeFaults();
  }

  /** The exposition text for these counters and the given services. */
  render(services: readonly Service[]): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string, lines: string[]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    };
    const each = (fn: (labels: string, c: Counters) => string[]) => {
      const lines: string[] = [];
      for (const protocol of PROTOCOLS)
        for (const side of ['server', 'client'] as const) {
          const c = this.#counters.get(protocol)?.get(side);
          if (c) lines.push(...fn(`protocol="${protocol}",side="${side}"`, c));
        }
      return lines;
    };
    family(
      'minisuite_exchanges_total',
      'counter',
      'Request/response exchanges recorded.',
      each((l, c) => [`minisuite_exchanges_total{${l}} ${c.exchanges}`]),
    );
    family(
      'minisuite_errors_total',
      'counter',
      'Exchanges that did not succeed (ok=false).',
      each((l, c) => [`minisuite_errors_total{${l}} ${c.errors}`]),
    );
    family(
      'minisuite_bytes_total',
      'counter',
      'Bytes received (direction="in") and sent (direction="out") in exchanges.',
      each((l, c) => [
        `minisuite_bytes_total{${l},direction="in"} ${c.bytesIn}`,
        `minisuite_bytes_total{${l},direction="out"} ${c.bytesOut}`,
      ]),
    );
    family(
      'minisuite_exchange_duration_seconds_total',
      'counter',
      'Time spent in exchanges.',
      each((l, c) => [`minisuite_exchange_duration_seconds_total{${l}} ${c.seconds.toFixed(6)}`]),
    );
    family(
      'minisuite_open_connections',
      'gauge',
      'Connections open now.',
      services.map((s) => `minisuite_open_connections{protocol="${s.protocol}"} ${s.openConnections()}`),
    );
    family(
      'minisuite_up',
      'gauge',
      'Whether the service is started and accepting (1) or not (0).',
      services.map((s) => `minisuite_up{protocol="${s.protocol}"} ${s.healthy() ? 1 : 0}`),
    );
    family(
      'minisuite_udp_dropped_total',
      'counter',
      'UDP datagrams dropped unread as garbage by the flood filter (DNS).',
      services.flatMap((s) =>
        s.udpDropped ? [`minisuite_udp_dropped_total{protocol="${s.protocol}"} ${s.udpDropped()}`] : [],
      ),
    );
    family(
      'minisuite_faults_total',
      'counter',
      'Exchanges (or connections) a fault rule changed, by rule.',
      [...this.#faults].map(([id, f]) => `minisuite_faults_total{protocol="${f.protocol}",rule="${id}"} ${f.hits}`),
    );
    return `${out.join('\n')}\n`;
  }
}

export interface HealthRoutesOptions {
  readonly metrics: ExchangeMetrics;
  /** The services of the run (this one included). */
  readonly services: () => readonly Service[];
}

export function registerHealthRoutes(router: Router, options: HealthRoutesOptions): void {
  router.on('GET', '/healthz', (ctx) => {
    const services = options.services().map((s) => ({
      protocol: s.protocol,
      healthy: s.healthy(),
      urls: s.healthy() ? s.urls() : [],
      openConnections: s.openConnections(),
    }));
    const down = services.filter((s) => !s.healthy).map((s) => s.protocol);
    if (down.length === 0) sendJson(ctx.res, 200, { status: 'ok', services });
    else sendJson(ctx.res, 503, { error: `not healthy: ${down.join(', ')}`, status: 'unhealthy', services });
  });
  router.on('GET', '/metrics', (ctx) => {
    sendText(ctx.res, 200, 'text/plain; version=0.0.4; charset=utf-8', options.metrics.render(options.services()));
  });
}
