/**
 * The built-in zone `suite.test` (SPEC.md): every name points at the suite itself, and the SRV
 * records give the real ports of the run's other services, read at query time.
 * @module
 */
import type { ZoneRecord } from './records.js';
import { Zone } from './zone.js';

export const BUILTIN_ORIGIN = 'suite.test';
/** Short: ports change from run to run. */
export const BUILTIN_TTL = 60;

/** Port of each service the SRV records name, asked at query time. */
export interface BuiltinPorts {
  http(): number;
  ftp(): number;
  smtp(): number;
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
    ...['ns', 'www', 'ftp', 'mail', 'dns'].map((n) => ({
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
  ];
  const zone = new Zone(o);
  for (const r of records) zone.add(r);
  return zone;
}
