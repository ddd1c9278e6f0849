/**
 * The built-in zone `suite.test` (SPEC.md): every name points at the suite itself, through the
 * named records and a wildcard (RFC 4592) for any other name, and the SRV records give the real
 * ports of the run's other services, read at query time. One name, {@link BUILTIN_NXDOMAIN},
 * is NXDOMAIN on purpose, for tests of what a client does with a name error.
 * @module
 */
import type { ZoneRecord } from './records.js';
import { Zone } from './zone.js';

export const BUILTIN_ORIGIN = 'suite.test';
/**
 * The branch of `suite.test` where names do not exist: `nx.suite.test` holds only a TXT saying
 * so, and has no wildcard of its own, so any name below it (this one, say) is NXDOMAIN
 * (RFC 4592 §2.2.1: the wildcard of `suite.test` only stands in below `suite.test`'s own closest
 * encloser, and `nx` is the closest encloser here).
 */
export const BUILTIN_NXDOMAIN = 'missing.nx.suite.test';
/** Short: ports change from run to run. */
export const BUILTIN_TTL = 60;
/** The hosts of the zone besides its apex, each an A record pointing at the suite. */
const BUILTIN_HOSTS = ['ns', 'www', 'ftp', 'mail', 'dns'] as const;

/** Every host name of the zone (the apex first): what the suite's certificate is valid for by default. */
export function builtinNames(): string[] {
  // The wildcard too: any other name under the zone is synthesised (RFC 4592) and points here.
  return [BUILTIN_ORIGIN, `*.${BUILTIN_ORIGIN}`, ...BUILTIN_HOSTS.map((h) => `${h}.${BUILTIN_ORIGIN}`)];
}

/** Port of each service the SRV records name, asked at query time. */
export interface BuiltinPorts {
  http(): number;
  ftp(): number;
  smtp(): number;
  /** With TLS: the implicit-TLS ports, named by `_https`, `_submissions` (RFC 8314 §5.1), `_ftps` and `_domain-s` (RFC 7858) SRV records. */
  readonly tls?: {
    https(): number;
    smtps(): number;
    ftps(): number;
    dot(): number;
  };
}

/** SRV service name (IANA), target host and port of each implicit-TLS service. */
function tlsServices(tls: NonNullable<BuiltinPorts['tls']>): [string, string, () => number][] {
  return [
    ['_https', 'www', tls.https],
    ['_submissions', 'mail', tls.smtps],
    ['_ftps', 'ftp', tls.ftps],
    ['_domain-s', 'dns', tls.dot],
  ];
}

export function builtinZone(ports: BuiltinPorts): Zone {
  const o = BUILTIN_ORIGIN;
  const ttl = BUILTIN_TTL;
  const records: ZoneRecord[] = [
    {
      name: o,
      ttl,
      type: 'SOA',
      data: {
        mname: `ns.${o}`,
        rname: `hostmaster.${o}`,
        serial: 1,
        refresh: 3600,
        retry: 600,
        expire: 86_400,
        minimum: ttl,
      },
    },
    { name: o, ttl, type: 'NS', data: `ns.${o}` },
    { name: o, ttl, type: 'A', data: '127.0.0.1' },
    { name: o, ttl, type: 'AAAA', data: '::1' },
    { name: o, ttl, type: 'MX', data: { preference: 10, exchange: `mail.${o}` } },
    { name: o, ttl, type: 'TXT', data: [Buffer.from('minisuite built-in zone: every name points at the suite')] },
    // RFC 4592: any other name under suite.test is synthesised from these.
    { name: `*.${o}`, ttl, type: 'A', data: '127.0.0.1' },
    { name: `*.${o}`, ttl, type: 'AAAA', data: '::1' },
    { name: `nx.${o}`, ttl, type: 'TXT', data: [Buffer.from(`names below nx.${o} do not exist (NXDOMAIN)`)] },
    ...BUILTIN_HOSTS.map((n) => ({
      name: `${n}.${o}`,
      ttl,
      type: 'A' as const,
      data: '127.0.0.1',
    })),
    {
      name: `_http._tcp.${o}`,
      ttl,
      type: 'SRV',
      data: { priority: 0, weight: 0, port: ports.http, target: `www.${o}` },
    },
    { name: `_ftp._tcp.${o}`, ttl, type: 'SRV', data: { priority: 0, weight: 0, port: ports.ftp, target: `ftp.${o}` } },
    {
      name: `_smtp._tcp.${o}`,
      ttl,
      type: 'SRV',
      data: { priority: 0, weight: 0, port: ports.smtp, target: `mail.${o}` },
    },
    ...(ports.tls ? tlsServices(ports.tls) : []).map(([service, host, port]) => ({
      name: `${service}._tcp.${o}`,
      ttl,
      type: 'SRV' as const,
      data: { priority: 0, weight: 0, port, target: `${host}.${o}` },
    })),
  ];
  const zone = new Zone(o);
  for (const r of records) zone.add(r);
  return zone;
}
