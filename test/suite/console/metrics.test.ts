import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { type ExchangeInput, ExchangeLog } from '../../../shared/exchange.js';
import { ExchangeMetrics } from '../../../suite/console/health-metrics.js';
import { startSuite } from '../../../suite/start-suite.js';

const base: ExchangeInput = {
  protocol: 'http',
  side: 'server',
  transport: 'tcp',
  session: 'http-1',
  peer: '127.0.0.1:40000',
  request: 'GET /',
  response: '200 OK',
  ok: true,
  bytesIn: 10,
  bytesOut: 100,
  durationMs: 2,
};

describe('ExchangeMetrics', () => {
  it('counts each protocol and side apart, however their records interleave', () => {
    const log = new ExchangeLog();
    const metrics = new ExchangeMetrics(log);
    log.add(base);
    log.add({ ...base, protocol: 'dns', transport: 'udp', ok: false, bytesIn: 30, bytesOut: 0 });
    log.add({ ...base, side: 'client', bytesOut: 1 });
    log.add({ ...base, ok: false });
    log.add({ ...base, protocol: 'dns', transport: 'udp', bytesIn: 30, bytesOut: 60 });
    log.add({ ...base, side: 'client', bytesOut: 1 });
    metrics.close();
    log.add(base); // not counted any more
    const lines = metrics.render([]).split('\n');
    const sample = (name: string) => lines.filter((l) => l.startsWith(`${name}{`));
    expect(sample('minisuite_exchanges_total')).toEqual([
      'minisuite_exchanges_total{protocol="http",side="server"} 2',
      'minisuite_exchanges_total{protocol="http",side="client"} 2',
      'minisuite_exchanges_total{protocol="dns",side="server"} 2',
    ]);
    expect(sample('minisuite_errors_total')).toEqual([
      'minisuite_errors_total{protocol="http",side="server"} 1',
      'minisuite_errors_total{protocol="http",side="client"} 0',
      'minisuite_errors_total{protocol="dns",side="server"} 1',
    ]);
    expect(sample('minisuite_bytes_total')).toEqual([
      'minisuite_bytes_total{protocol="http",side="server",direction="in"} 20',
      'minisuite_bytes_total{protocol="http",side="server",direction="out"} 200',
      'minisuite_bytes_total{protocol="http",side="client",direction="in"} 20',
      'minisuite_bytes_total{protocol="http",side="client",direction="out"} 2',
      'minisuite_bytes_total{protocol="dns",side="server",direction="in"} 60',
      'minisuite_bytes_total{protocol="dns",side="server",direction="out"} 60',
    ]);
    expect(sample('minisuite_exchange_duration_seconds_total')[0]).toBe(
      'minisuite_exchange_duration_seconds_total{protocol="http",side="server"} 0.004000',
    );
  });
});

describe('/metrics of a running suite', () => {
  it('shows the UDP datagrams the DNS flood filter dropped (issue #17)', async () => {
    const suite = await startSuite({ protocols: ['http', 'dns'] });
    const flood = dgram.createSocket('udp4');
    try {
      const dropped = async () => {
        const text = await (await fetch(`${suite.http.url}/metrics`)).text();
        expect(text).toMatch(/^# TYPE minisuite_udp_dropped_total counter$/m);
        return Number(/^minisuite_udp_dropped_total\{protocol="dns"\} (\d+)$/m.exec(text)?.[1]);
      };
      expect(await dropped()).toBe(0);
      await new Promise<void>((r) => flood.bind(0, '127.0.0.1', () => r()));
      // Responses (QR set) and datagrams shorter than a header: the filter drops both unread.
      const response = Buffer.alloc(12);
      response[2] = 0x80;
      for (let i = 0; i < 100; i++) flood.send(i % 2 ? response : Buffer.alloc(5), suite.dns.port, '127.0.0.1');
      // Loopback may lose a few under load; most arrive and are counted.
      await expect.poll(dropped).toBeGreaterThanOrEqual(50);
      expect(await dropped()).toBeLessThanOrEqual(100);
      expect(suite.exchanges.filter((r) => r.protocol === 'dns')).toEqual([]);
    } finally {
      flood.close();
      await suite.close();
    }
  });
});
