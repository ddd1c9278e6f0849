import { Resolver } from 'node:dns/promises';
import { describe, expect, it } from 'vitest';
import type { Suite } from '../../suite/start-suite.js';
import { suiteStarter } from './helpers.js';

const dnsSuite = suiteStarter(['dns']);

/** Node's resolver (c-ares) on the suite: one try, `timeout` ms per try, no query cache. */
function resolver(suite: Suite, timeout = 2_000): Resolver {
  const r = new Resolver({ timeout, tries: 1, maxTimeout: timeout } as ConstructorParameters<typeof Resolver>[0]);
  r.setServers([`127.0.0.1:${suite.dns.port}`]);
  return r;
}

function code(err: unknown): string {
  return String((err as { code?: string }).code);
}

describe('DNS faults with real clients', () => {
  it("Node's resolver times out on a dropped query; other names still answer", async () => {
    const suite = await dnsSuite();
    const rule = suite.faults.add({ protocol: 'dns', match: { target: 'www.suite.test' }, action: { drop: true } });
    const r = resolver(suite, 300);
    await expect(r.resolve4('www.suite.test')).rejects.toSatisfy((e) => code(e) === 'ETIMEOUT');
    expect(await r.resolve4('ftp.suite.test')).toEqual(['127.0.0.1']);
    expect(rule.hits).toBe(1);
    const record = await suite.waitFor('dns', (x) => x.fault !== undefined);
    expect(record).toMatchObject({ request: 'A www.suite.test', response: '(no answer)', ok: false, bytesOut: 0 });
  });

  it("TC=1 on UDP makes Node's resolver retry over TCP, which answers", async () => {
    const suite = await dnsSuite();
    const rule = suite.faults.add({ protocol: 'dns', match: { command: 'A' }, action: { truncate: true } });
    expect(await resolver(suite).resolve4('mail.suite.test')).toEqual(['127.0.0.1']);
    const records = suite.exchanges.filter((x) => x.protocol === 'dns');
    expect(records.map((x) => [x.transport, x.response, x.fault])).toEqual([
      ['udp', 'NOERROR TC=1', `${rule.id}: TC=1`],
      ['tcp', expect.stringMatching(/^NOERROR .*127\.0\.0\.1/), undefined],
    ]);
    expect(rule.hits).toBe(1);
  });

  it('answers the rcode asked for, for the query type and name matched', async () => {
    const suite = await dnsSuite();
    suite.faults.add({
      protocol: 'dns',
      match: { command: 'AAAA', target: '**.suite.test' },
      action: { rcode: 'REFUSED' },
    });
    const r = resolver(suite);
    await expect(r.resolve6('suite.test')).rejects.toSatisfy((e) => code(e) === 'EREFUSED');
    expect(await r.resolve4('suite.test')).toEqual(['127.0.0.1']);
  });

  it("an answer with a wrong ID is ignored by Node's resolver (it times out)", async () => {
    const suite = await dnsSuite();
    suite.faults.add({ protocol: 'dns', action: { wrongId: true }, times: 1 });
    const r = resolver(suite, 300);
    await expect(r.resolve4('www.suite.test')).rejects.toSatisfy((e) => code(e) === 'ETIMEOUT');
    const record = await suite.waitFor('dns', (x) => x.fault !== undefined);
    expect(record.response).toMatch(/^NOERROR .*127\.0\.0\.1 \(wrong ID\)$/);
    expect(await r.resolve4('www.suite.test')).toEqual(['127.0.0.1']);
  });

  it('delays the answer by at least delayMs', async () => {
    const suite = await dnsSuite();
    suite.faults.add({ protocol: 'dns', action: { delayMs: 150 } });
    const t0 = performance.now();
    expect(await resolver(suite).resolve4('www.suite.test')).toEqual(['127.0.0.1']);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
    const record = await suite.waitFor('dns', (x) => x.fault !== undefined);
    expect(record.durationMs).toBeGreaterThanOrEqual(145);
  });

  it('a seeded 30 % SERVFAIL over 1,000 queries gives the same sequence twice, and another seed another', async () => {
    const sequence = async (seed: number) => {
      const suite = await dnsSuite();
      suite.faults.add({
        protocol: 'dns',
        match: { target: '*.suite.test' },
        action: { rcode: 'SERVFAIL' },
        probability: 0.3,
        seed,
      });
      const r = resolver(suite);
      let out = '';
      for (let i = 0; i < 1000; i++) {
        // Distinct names: nothing can come from a cache, every query reaches the server.
        const failed = await r.resolve4(`q${i}.suite.test`).then(
          () => 'answer',
          (e) => code(e),
        );
        // Any answer (the built-in zone has a wildcard) or NXDOMAIN is a query the rule let through.
        out += failed === 'ESERVFAIL' ? 'F' : failed === 'answer' || failed === 'ENOTFOUND' ? '.' : '?';
      }
      await suite.close({ graceMs: 0 });
      return out;
    };
    const first = await sequence(42);
    expect(first).not.toContain('?');
    const share = [...first].filter((c) => c === 'F').length / first.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
    expect(await sequence(42)).toBe(first);
    expect(await sequence(7)).not.toBe(first);
  }, 120_000);
});
