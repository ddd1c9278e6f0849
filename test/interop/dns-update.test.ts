/**
 * Dynamic update (RFC 2136) with `nsupdate` (bind9-dnsutils), with and without a TSIG key
 * (RFC 8945), then `dig` seeing the change and the serial (RFC 1982); zone transfer with
 * `dig axfr` (RFC 5936) when allowed, REFUSED when not.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { TransferPolicy } from '../../protocols/dns/axfr.js';
import { DnsServer } from '../../protocols/dns/server.js';
import { parseTsigKey } from '../../protocols/dns/tsig.js';
import type { UpdatePolicy } from '../../protocols/dns/update.js';
import { zoneFromText } from '../../protocols/dns/zone-file.js';
import { ExchangeLog } from '../../shared/exchange.js';

const exec = promisify(execFile);
const ZONE = `$ORIGIN example.test.
$TTL 300
@ SOA ns hostmaster 41 3600 600 86400 120
@ NS ns
ns A 192.0.2.53
www A 192.0.2.80
old TXT "going away"
`;
const SECRET = Buffer.from('minisuite test key for nsupdate!').toString('base64');
const KEY = `upd-key:hmac-sha256:${SECRET}`;

const servers: DnsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 0 })));
});

async function start(update: UpdatePolicy, transfer: TransferPolicy = {}) {
  const log = new ExchangeLog();
  const zones = [zoneFromText(ZONE, { file: 'upd.zone' })];
  const server = new DnsServer({ zones: () => zones, port: 0, log, update, transfer });
  servers.push(server);
  return { port: await server.listen(), log };
}

/** Runs nsupdate with a script on stdin; resolves with its exit code and output. */
function nsupdate(port: number, lines: string[], args: string[] = []): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('nsupdate', ['-t', '5', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
    child.stdin.end(`server 127.0.0.1 ${port}\nzone example.test\n${lines.join('\n')}\nsend\n`);
  });
}

async function dig(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await exec('dig', ['@127.0.0.1', '-p', String(port), '+time=3', '+tries=1', ...args]);
  return stdout;
}
const short = async (port: number, name: string, type: string) => (await dig(port, '+short', name, type)).trim();
const serial = async (port: number) => Number((await short(port, 'example.test', 'SOA')).split(' ')[2]);

describe('nsupdate against minisuite dns', () => {
  it('is REFUSED when updates are off, and nothing changes', async () => {
    const { port, log } = await start({});
    const r = await nsupdate(port, ['update add new.example.test 300 A 192.0.2.77']);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/REFUSED/);
    expect(await short(port, 'new.example.test', 'A')).toBe('');
    const record = log.toArray().find((r) => r.request.startsWith('UPDATE'));
    expect(record).toMatchObject({ request: 'UPDATE example.test +A new.example.test', ok: false });
    expect(record?.response).toMatch(/^REFUSED: updates are off/);
  });

  it('adds, replaces and deletes with --dns-allow-update; the serial moves on each time', async () => {
    const { port, log } = await start({ allowUpdate: true });
    expect(await serial(port)).toBe(41);
    expect(
      (
        await nsupdate(port, [
          'update add new.example.test 300 A 192.0.2.77',
          'update add new.example.test 300 TXT "hi"',
        ])
      ).code,
    ).toBe(0);
    expect(await short(port, 'new.example.test', 'A')).toBe('192.0.2.77');
    expect(await short(port, 'new.example.test', 'TXT')).toBe('"hi"');
    expect(await serial(port)).toBe(42);
    // Replace: delete the RRset, add the new data, in one update.
    expect(
      (await nsupdate(port, ['update delete www.example.test A', 'update add www.example.test 60 A 192.0.2.81'])).code,
    ).toBe(0);
    expect(await short(port, 'www.example.test', 'A')).toBe('192.0.2.81');
    expect(await serial(port)).toBe(43);
    expect((await nsupdate(port, ['update delete old.example.test'])).code).toBe(0);
    expect(await dig(port, 'old.example.test', 'TXT')).toMatch(/status: NXDOMAIN/);
    expect(await serial(port)).toBe(44);
    // A prerequisite that fails (§2.4.4: the name must not exist) leaves the zone alone.
    const pre = await nsupdate(port, [
      'prereq nxdomain new.example.test',
      'update add new.example.test 300 A 192.0.2.99',
    ]);
    expect(pre.code).not.toBe(0);
    expect(pre.out).toMatch(/YXDOMAIN/);
    expect(await short(port, 'new.example.test', 'A')).toBe('192.0.2.77');
    expect(await serial(port)).toBe(44);
    const updates = log.toArray().filter((r) => r.request.startsWith('UPDATE'));
    expect(updates.map((r) => r.response)).toEqual([
      'NOERROR serial 42',
      'NOERROR serial 43',
      'NOERROR serial 44',
      expect.stringMatching(/^YXDOMAIN: /),
    ]);
  });

  it('with a TSIG key: signed updates apply, unsigned and badly signed ones do not', async () => {
    const { port } = await start({ keys: [parseTsigKey(KEY)] });
    const unsigned = await nsupdate(port, ['update add a.example.test 300 A 192.0.2.1']);
    expect(unsigned.out).toMatch(/REFUSED/);
    const wrong = await nsupdate(
      port,
      ['update add b.example.test 300 A 192.0.2.2'],
      ['-y', `hmac-sha256:upd-key:${Buffer.from('another secret, not ours!').toString('base64')}`],
    );
    expect(wrong.code).not.toBe(0);
    expect(await short(port, 'b.example.test', 'A')).toBe('');
    const signed = await nsupdate(
      port,
      ['update add c.example.test 300 A 192.0.2.3'],
      ['-y', `hmac-sha256:upd-key:${SECRET}`],
    );
    expect(signed).toMatchObject({ code: 0 });
    expect(await short(port, 'c.example.test', 'A')).toBe('192.0.2.3');
    expect(await serial(port)).toBe(42);
  });
});

describe('dig axfr against minisuite dns', () => {
  it('transfers the whole zone, SOA first and last, when the peer is allowed', async () => {
    const { port, log } = await start({}, { allowTransfer: ['127.0.0.1'] });
    const out = await dig(port, 'example.test', 'AXFR');
    const rows = out.split('\n').filter((l) => l !== '' && !l.startsWith(';'));
    expect(rows[0]).toMatch(/^example\.test\.\s+300\s+IN\s+SOA\s+ns\.example\.test\. hostmaster\.example\.test\. 41 /);
    expect(rows.at(-1)).toBe(rows[0]);
    expect(rows).toHaveLength(6);
    expect(out).toMatch(/www\.example\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.80/);
    expect(log.toArray().at(-1)).toMatchObject({
      request: 'AXFR example.test',
      response: 'NOERROR 6 records in 1 message, serial 41',
      ok: true,
    });
  });

  it('is REFUSED when transfers are not allowed', async () => {
    const { port, log } = await start({});
    const out = await dig(port, 'example.test', 'AXFR');
    expect(out).toMatch(/Transfer failed|REFUSED/);
    expect(out).not.toMatch(/192\.0\.2\.80/);
    expect(log.toArray().at(-1)?.response).toMatch(/^REFUSED: transfers from 127\.0\.0\.1 are not allowed/);
  });

  it('with a TSIG key: dig -y transfers, every message signed', async () => {
    const { port } = await start({}, { keys: [parseTsigKey(KEY)] });
    const out = await dig(port, '-y', `hmac-sha256:upd-key:${SECRET}`, 'example.test', 'AXFR');
    expect(out).not.toMatch(/failed|tsig verify/i);
    expect(out.split('\n').filter((l) => /\sIN\s+SOA\s/.test(l))).toHaveLength(2);
  });
});
