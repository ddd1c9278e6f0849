/**
 * `GET /api/status`: each service of the run with its address, state, uptime, open connections,
 * and the exchanges and errors its server side recorded; and the TLS certificate in use, when
 * there is one (never the key).
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { sendJson } from '../../protocols/http/replies.js';
import type { Router } from '../../protocols/http/router.js';
import type { ExchangeLog, ExchangeRecord, Protocol } from '../../shared/exchange.js';
import type { Service } from '../../shared/service.js';
import type { TlsMaterial } from '../../shared/tls.js';

export interface StatusOptions {
  readonly log: ExchangeLog;
  readonly services: () => readonly Service[];
  readonly tls: TlsMaterial | undefined;
}

/** What the console shows of a certificate. */
export interface CertificateInfo {
  readonly subject: string;
  readonly issuer: string;
  readonly subjectAltName: string | undefined;
  readonly validFrom: string;
  readonly validTo: string;
  readonly fingerprint256: string;
}

export function certificateInfo(pem: string): CertificateInfo | undefined {
  try {
    const cert = new X509Certificate(pem);
    return {
      subject: cert.subject.replace(/\n/g, ', '),
      issuer: cert.issuer.replace(/\n/g, ', '),
      subjectAltName: cert.subjectAltName,
      validFrom: new Date(cert.validFrom).toISOString(),
      validTo: new Date(cert.validTo).toISOString(),
      fingerprint256: cert.fingerprint256,
    };
  } catch {
    return undefined;
  }
}

/** Server-side exchanges and errors per protocol, counted from the log. */
export class ServiceCounters {
  #counts = new Map<Protocol, { exchanges: number; errors: number }>();
  #unsubscribe: () => void;

  constructor(log: ExchangeLog) {
    const count = (r: ExchangeRecord) => {
      if (r.side !== 'server') return;
      let c = this.#counts.get(r.protocol);
      if (!c) {
        c = { exchanges: 0, errors: 0 };
        this.#counts.set(r.protocol, c);
      }
      c.exchanges++;
      if (!r.ok) c.errors++;
    };
    // Records from before the console existed, as far as the ring still has them.
    for (const r of log.toArray()) count(r);
    this.#unsubscribe = log.subscribe(count);
  }

  of(protocol: Protocol): { exchanges: number; errors: number } {
    return this.#counts.get(protocol) ?? { exchanges: 0, errors: 0 };
  }

  close(): void {
    this.#unsubscribe();
  }
}

/** Registers the route; returns the function that stops its counting. */
export function registerStatusRoute(router: Router, options: StatusOptions): () => void {
  const counters = new ServiceCounters(options.log);
  // When each service was first seen up (the console's creation for those already up then).
  const upSince = new Map<Protocol, number>();
  const observe = () => {
    const now = Date.now();
    for (const s of options.services()) {
      if (!s.healthy()) upSince.delete(s.protocol);
      else if (!upSince.has(s.protocol)) upSince.set(s.protocol, now);
    }
  };
  observe();
  const tls = options.tls ? certificateInfo(options.tls.cert) : undefined;
  router.on('GET', '/api/status', (ctx) => {
    observe();
    const now = Date.now();
    const services = options.services().map((s) => {
      const since = upSince.get(s.protocol);
      return {
        protocol: s.protocol,
        state: s.healthy() ? 'up' : 'down',
        urls: s.healthy() ? s.urls() : [],
        uptimeMs: since === undefined ? undefined : now - since,
        connections: s.openConnections(),
        ...counters.of(s.protocol),
      };
    });
    sendJson(ctx.res, 200, { services, tls });
  });
  return () => counters.close();
}
