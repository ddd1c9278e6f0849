import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExchangeLog } from '../../shared/exchange.js';
import { generateLocalhostCertificate } from '../../shared/tls.js';
import { resolveConfig } from '../../suite/config.js';
import { startServices } from '../../suite/runner.js';
import { startSuite } from '../../suite/start-suite.js';
import { type FakeService, fakeFactories } from '../helpers/fake-service.js';
import { RawClient } from '../helpers/raw-client.js';

const zeroPorts = { http: { port: 0 }, ftp: { port: 0 }, smtp: { port: 0 }, dns: { port: 0 } };

describe('startServices', () => {
  it('starts every selected service, DNS last, and reports each ready', async () => {
    const dir = fs.mkdtempSync('/tmp/minisuite-run-');
    const ready: string[] = [];
    const running = await startServices(resolveConfig({ data: dir, ...zeroPorts }), new ExchangeLog(), {
      factories: fakeFactories(),
      onReady: (s) => ready.push(s.protocol),
    });
    expect(ready).toEqual(['smtp', 'ftp', 'http', 'dns']);
    for (const s of running.services.values()) expect(s.healthy()).toBe(true);
    await running.close();
    for (const s of running.services.values()) expect(s.healthy()).toBe(false);
    fs.rmSync(dir, { recursive: true });
  });

  it('leaves nothing listening when one service fails to start', async () => {
    const dir = fs.mkdtempSync('/tmp/minisuite-run-');
    const made: FakeService[] = [];
    await expect(
      startServices(resolveConfig({ data: dir, ...zeroPorts }), new ExchangeLog(), {
        factories: fakeFactories(['http'], made),
      }),
    ).rejects.toThrow('http: refusing to start (test)');
    const started = made.filter((s) => s.protocol === 'smtp' || s.protocol === 'ftp');
    expect(started).toHaveLength(2);
    for (const s of started) {
      expect(s.closed).toBe(1);
      await expect(RawClient.connect(s.port)).rejects.toThrow(/ECONNREFUSED/);
    }
    fs.rmSync(dir, { recursive: true });
  });
});

describe('startSuite (mechanism)', () => {
  it('runs on free ports with a temporary data folder it removes on close', async () => {
    const suite = await startSuite({ protocols: ['smtp', 'dns'], runOptions: { factories: fakeFactories() } });
    expect(suite.protocols).toEqual(['smtp', 'dns']);
    expect(suite.smtp.port).toBeGreaterThan(0);
    expect(() => suite.http).toThrow('http was not started in this suite');
    expect(fs.existsSync(suite.dataDir)).toBe(true);
    await Promise.all([suite.close(), suite.close()]);
    expect(fs.existsSync(suite.dataDir)).toBe(false);
  });

  it('waitFor resolves with past and future exchanges', async () => {
    const suite = await startSuite({ protocols: ['ftp'], runOptions: { factories: fakeFactories() } });
    const client = await RawClient.connect(suite.ftp.port);
    client.send('first\r\n');
    await client.waitFor(/250 first/);
    const past = await suite.waitFor('ftp', (r) => r.request === 'first');
    expect(past.response).toBe('250 first');
    const future = suite.waitFor('ftp', (r) => r.request === 'second', { timeoutMs: 5_000 });
    client.send('second\r\n');
    expect((await future).session).toMatch(/^ftp-\d+$/);
    expect(suite.exchanges.map((r) => r.request)).toEqual(['first', 'second']);
    client.destroy();
    await suite.close();
  });

  it('waitFor times out with what was awaited and the last exchanges', async () => {
    const suite = await startSuite({ protocols: ['smtp'], runOptions: { factories: fakeFactories() } });
    const client = await RawClient.connect(suite.smtp.port);
    client.send('HELO there\r\n');
    await suite.waitFor('smtp');
    const err = await suite
      .waitFor('smtp', (r) => r.request.startsWith('QUIT'), { timeoutMs: 100 })
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(
      'waitFor(smtp, (r) => r.request.startsWith("QUIT")) timed out after 100 ms',
    );
    expect((err as Error).message).toMatch(/HELO there\s+→ 250 HELO there/);
    client.destroy();
    await suite.close();
  });

  it('keeps two suites in one process apart', async () => {
    const [a, b] = await Promise.all([
      startSuite({ protocols: ['http'], runOptions: { factories: fakeFactories() } }),
      startSuite({ protocols: ['http'], runOptions: { factories: fakeFactories() } }),
    ]);
    expect(a.http.port).not.toBe(b.http.port);
    expect(a.dataDir).not.toBe(b.dataDir);
    const client = await RawClient.connect(a.http.port);
    client.send('only-a\r\n');
    await a.waitFor('http', (r) => r.request === 'only-a');
    expect(b.exchanges).toEqual([]);
    client.destroy();
    await Promise.all([a.close(), b.close()]);
  });
});

describe('startSuite seeding', () => {
  it('puts seed files into the FTP root and writes inline zones to files', async () => {
    const suite = await startSuite({
      protocols: ['ftp'],
      files: { 'hello.txt': 'hi\n', 'docs/a.bin': new Uint8Array([1, 2, 3]) },
      runOptions: { factories: fakeFactories() },
    });
    expect(fs.readFileSync(`${suite.dataDir}/files/hello.txt`, 'utf8')).toBe('hi\n');
    expect([...fs.readFileSync(`${suite.dataDir}/files/docs/a.bin`)]).toEqual([1, 2, 3]);
    await suite.close();
  });

  it('refuses a seed path that leaves the root', async () => {
    await expect(
      startSuite({ protocols: ['ftp'], files: { '../evil': 'x' }, runOptions: { factories: fakeFactories() } }),
    ).rejects.toThrow("files: '../evil' leaves the FTP root");
  });
});

describe('TLS material for a run', () => {
  async function captureTls(layer: Parameters<typeof resolveConfig>[0]) {
    let seen: unknown;
    const factories = fakeFactories();
    const running = await startServices(
      resolveConfig({ protocols: ['smtp'], ...zeroPorts, ...layer }),
      new ExchangeLog(),
      {
        factories: {
          smtp: (ctx, config) => {
            seen = ctx.tls;
            return factories.smtp(ctx, config);
          },
        },
      },
    );
    await running.close();
    return seen as { cert: string; key: string } | undefined;
  }

  it('uses a user-given certificate and key, and refuses a pair that does not belong together', async () => {
    const dir = fs.mkdtempSync('/tmp/minisuite-tls-');
    const [a, b] = await Promise.all([generateLocalhostCertificate(), generateLocalhostCertificate()]);
    fs.writeFileSync(`${dir}/a.crt`, a.cert);
    fs.writeFileSync(`${dir}/a.key`, a.key);
    fs.writeFileSync(`${dir}/b.key`, b.key);
    const tls = await captureTls({ data: dir, tls: true, tlsCert: `${dir}/a.crt`, tlsKey: `${dir}/a.key` });
    expect(tls?.cert).toBe(a.cert);
    expect(fs.existsSync(`${dir}/tls`)).toBe(false);
    await expect(captureTls({ data: dir, tls: true, tlsCert: `${dir}/a.crt`, tlsKey: `${dir}/b.key` })).rejects.toThrow(
      /--tls-cert\/--tls-key: .*a\.crt and .*b\.key are not a usable certificate and key/,
    );
    await expect(captureTls({ data: dir, tls: true, tlsCert: `${dir}/a.crt` })).rejects.toThrow(
      'tlsKey: a TLS certificate was given without its key',
    );
    await expect(
      captureTls({ data: dir, tls: true, tlsCert: `${dir}/nope.crt`, tlsKey: `${dir}/a.key` }),
    ).rejects.toThrow(/--tls-cert: no such file '.*nope\.crt'/);
    // Without a given pair, a leaf from the CA kept in DATA/tls; without --tls, none at all.
    const issued = await captureTls({ data: dir, tls: true, host: '127.0.0.3', tlsNames: ['Api.Example.Test'] });
    const leaf = new X509Certificate(issued?.cert ?? '');
    expect(leaf.verify(new X509Certificate(fs.readFileSync(`${dir}/tls/ca.pem`, 'utf8')).publicKey)).toBe(true);
    // www.suite.test may match as itself or as *.suite.test (the built-in zone's wildcard).
    for (const name of ['localhost', 'api.example.test', 'www.suite.test', 'suite.test', 'any.suite.test'])
      expect(leaf.checkHost(name)).toBeDefined();
    for (const ip of ['127.0.0.1', '127.0.0.3', '::1']) expect(leaf.checkIP(ip)).toBe(ip);
    expect(leaf.checkHost('other.test')).toBeUndefined();
    // A zone of its own: the built-in zone's names are not added.
    const zoned = await captureTls({ data: dir, tls: true, dns: { port: 0, zones: ['/nonexistent.zone'] } });
    expect(new X509Certificate(zoned?.cert ?? '').checkHost('www.suite.test')).toBeUndefined();
    expect(await captureTls({ data: dir })).toBeUndefined();
    fs.rmSync(dir, { recursive: true });
  });
});
