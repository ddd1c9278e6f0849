import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILTIN_NXDOMAIN } from '../../protocols/dns/builtin-zone.js';
import { type DnsAnswer, query } from '../../protocols/dns/client.js';
import type { Service } from '../../shared/service.js';
import { type Suite, startSuite } from '../../suite/start-suite.js';

/** The data of each answer record. */
const dataOf = (answer: DnsAnswer): unknown[] =>
  (answer.packet.answers ?? []).map((r) => ('data' in r ? r.data : undefined));

const suites: Suite[] = [];
afterEach(async () => {
  await Promise.all(suites.splice(0).map((s) => s.close()));
});
async function suite(options: Parameters<typeof startSuite>[0]) {
  const s = await startSuite(options);
  suites.push(s);
  return s;
}

/** A stand-in peer service with a fixed port, so the SRV test does not depend on other protocols. */
function fakePeer(protocol: 'http' | 'ftp', port: number): Service {
  return {
    protocol,
    port,
    start: async () => {},
    urls: () => [],
    openConnections: () => 0,
    healthy: () => true,
    close: async () => {},
  };
}

describe('dns service', () => {
  it('serves the built-in suite.test zone with SRV ports of the peers of the run', async () => {
    const s = await suite({
      protocols: ['http', 'ftp', 'dns'],
      runOptions: { factories: { http: () => fakePeer('http', 4321), ftp: () => fakePeer('ftp', 4322) } },
    });
    const server = `127.0.0.1:${s.dns.port}`;
    const srv = async (name: string) => (await query(name, 'SRV', { server })).packet.answers?.[0];
    expect(await srv('_http._tcp.suite.test')).toMatchObject({ data: { port: 4321, target: 'www.suite.test' } });
    expect(await srv('_ftp._tcp.suite.test')).toMatchObject({ data: { port: 4322, target: 'ftp.suite.test' } });
    // SMTP is absent from this run: the configured port (0 under startSuite) is used.
    expect(await srv('_smtp._tcp.suite.test')).toMatchObject({ data: { port: 0, target: 'mail.suite.test' } });
    for (const name of [
      'suite.test',
      'ns.suite.test',
      'www.suite.test',
      'ftp.suite.test',
      'mail.suite.test',
      'dns.suite.test',
    ]) {
      const a = await query(name, 'A', { server });
      expect(a.packet.answers?.[0], name).toMatchObject({ type: 'A', data: '127.0.0.1' });
    }
    const apex = async (type: string) => (await query('suite.test', type, { server })).packet.answers?.[0];
    expect(await apex('AAAA')).toMatchObject({ data: '::1' });
    expect(await apex('MX')).toMatchObject({ data: { preference: 10, exchange: 'mail.suite.test' } });
    expect(await apex('NS')).toMatchObject({ data: 'ns.suite.test' });
    expect(await apex('SOA')).toMatchObject({ type: 'SOA' });
    expect(await apex('TXT')).toMatchObject({ type: 'TXT' });
    expect(s.dns.urls()).toEqual([`udp://127.0.0.1:${s.dns.port}`, `tcp://127.0.0.1:${s.dns.port}`]);
    expect(s.dns.healthy()).toBe(true);
    expect(s.dns.host).toBe('127.0.0.1');
    const record = await s.waitFor('dns', (r) => r.request === 'A www.suite.test');
    expect(record).toMatchObject({ side: 'server', transport: 'udp', response: 'NOERROR A 127.0.0.1', ok: true });
  });

  it('adds and removes records at run time and lists the queries received', async () => {
    const s = await suite({ protocols: ['dns'] });
    const server = `127.0.0.1:${s.dns.port}`;
    expect(s.dns.addRecord({ name: 'api.suite.test', type: 'A', data: '10.0.0.7' })).toBe(true);
    expect(s.dns.addRecord('api.suite.test. 30 IN A 10.0.0.8')).toBe(true);
    expect(s.dns.addRecord({ name: 'api.suite.test', type: 'A', data: '10.0.0.8' })).toBe(false);
    s.dns.addRecord({ name: 'note.suite.test', type: 'TXT', data: ['a "quoted" word', 'two'] });
    const a = await query('api.suite.test', 'A', { server });
    expect(dataOf(a).sort()).toEqual(['10.0.0.7', '10.0.0.8']);
    const txt = await query('note.suite.test', 'TXT', { server });
    expect((dataOf(txt)[0] as Buffer[]).map(String)).toEqual(['a "quoted" word', 'two']);
    expect(s.dns.removeRecord({ name: 'api.suite.test', type: 'A', data: '10.0.0.7' })).toBe(1);
    expect(dataOf(await query('api.suite.test', 'A', { server }))).toEqual(['10.0.0.8']);
    expect(s.dns.removeRecord({ name: 'api.suite.test' })).toBe(1);
    // Gone: the wildcard of the built-in zone answers for it again (RFC 4592).
    expect(dataOf(await query('api.suite.test', 'A', { server }))).toEqual(['127.0.0.1']);
    expect((await query('api.nx.suite.test', 'A', { server })).rcode).toBe('NXDOMAIN');
    expect(s.dns.queries().map((q) => [q.name, q.type, q.transport, q.rcode, q.answers])).toEqual([
      ['api.suite.test', 'A', 'udp', 'NOERROR', 2],
      ['note.suite.test', 'TXT', 'udp', 'NOERROR', 1],
      ['api.suite.test', 'A', 'udp', 'NOERROR', 1],
      ['api.suite.test', 'A', 'udp', 'NOERROR', 1],
      ['api.nx.suite.test', 'A', 'udp', 'NXDOMAIN', 0],
    ]);
    expect(s.dns.queries()[0]?.peer).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('built-in zone: any name resolves to the suite, except the documented NXDOMAIN branch', async () => {
    const s = await suite({ protocols: ['dns'] });
    const server = `127.0.0.1:${s.dns.port}`;
    for (const name of ['foo.suite.test', 'a.b.c.suite.test', 'WWW2.Suite.Test']) {
      const a = await query(name, 'A', { server });
      expect(a).toMatchObject({ rcode: 'NOERROR' });
      expect(a.packet.answers?.map((r) => [r.name, 'data' in r ? r.data : undefined])).toEqual([[name, '127.0.0.1']]);
      expect(a.packet.flag_aa).toBe(true);
    }
    expect(dataOf(await query('foo.suite.test', 'AAAA', { server }))).toEqual(['::1']);
    // Names that exist keep their own data (the wildcard only stands in for missing names).
    expect(dataOf(await query('suite.test', 'MX', { server }))).toEqual([
      { preference: 10, exchange: 'mail.suite.test' },
    ]);
    const nx = await query(BUILTIN_NXDOMAIN, 'A', { server });
    expect(nx.rcode).toBe('NXDOMAIN');
    expect(nx.packet.authorities?.[0]?.type).toBe('SOA');
    expect((await query('nx.suite.test', 'A', { server })).rcode).toBe('NOERROR');
  });

  it('refuses records that do not fit', async () => {
    const s = await suite({ protocols: ['dns'] });
    expect(() => s.dns.addRecord({ name: 'x.other.test', type: 'A', data: '10.0.0.1' })).toThrow(
      /x\.other\.test\. is in none of the served zones/,
    );
    expect(() => s.dns.addRecord({ name: 'www.suite.test', type: 'CNAME', data: 'suite.test' })).toThrow(
      /CNAME at www\.suite\.test\., which has other data/,
    );
    expect(() => s.dns.addRecord({ name: 'bad.suite.test', type: 'A', data: 'nope' })).toThrow(
      /addRecord:1: 'nope' is not an IPv4 address/,
    );
  });

  it('serves several zone files, and a bad one fails start-up with file:line', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-dns-'));
    const a = path.join(dir, 'a.zone');
    const b = path.join(dir, 'b.zone');
    await fs.writeFile(a, '$ORIGIN a.test.\n$TTL 60\n@ SOA ns h 1 1 1 1 1\nwww A 192.0.2.1\n');
    await fs.writeFile(b, '$ORIGIN b.test.\n$TTL 60\n@ SOA ns h 1 1 1 1 1\nwww A 192.0.2.2\n');
    const s = await suite({ protocols: ['dns'], zones: [a, b] });
    const server = `127.0.0.1:${s.dns.port}`;
    expect(dataOf(await query('www.a.test', 'A', { server }))[0]).toBe('192.0.2.1');
    expect(dataOf(await query('www.b.test', 'A', { server }))[0]).toBe('192.0.2.2');
    expect((await query('www.suite.test', 'A', { server })).rcode).toBe('REFUSED');
    const bad = path.join(dir, 'bad.zone');
    await fs.writeFile(bad, '$ORIGIN c.test.\n$TTL 60\n@ SOA ns h 1 1 1 1 1\nwww A 999.1.1.1\n');
    await expect(startSuite({ protocols: ['dns'], zones: [bad] })).rejects.toThrow(
      `${bad}:4: '999.1.1.1' is not an IPv4 address`,
    );
    await expect(startSuite({ protocols: ['dns'], zones: [a, a] })).rejects.toThrow(/zone a\.test\. is defined twice/);
    await fs.rm(dir, { recursive: true, force: true });
  });
});
