import { describe, expect, it, vi } from 'vitest';
import { ExchangeLog } from '../../shared/exchange.js';
import { encodeQuery, startTestServer, udpAsk } from './helpers.js';

describe('DNS server records', () => {
  it('take their time when the query arrives, not after it is answered', async () => {
    const { zones, server: first } = await startTestServer();
    await first.close({ graceMs: 0 });
    const log = new ExchangeLog();
    // Answering moves the clock on: a record timed after the answer would say 9 s.
    const { server, port } = await startTestServer({
      log,
      zones: () => {
        vi.setSystemTime(9_000);
        return zones;
      },
    });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000);
    try {
      expect(await udpAsk(port, encodeQuery('www.example.test'))).toBeDefined();
    } finally {
      vi.useRealTimers();
      await server.close({ graceMs: 0 });
    }
    const record = log.toArray().find((r) => r.request === 'A www.example.test');
    expect(record?.time).toBe('1970-01-01T00:00:01.000Z');
  });
});
