import { describe, expect, it } from 'vitest';
import { FaultEngine, FaultRuleError, seededRandom } from '../../../shared/faults/index.js';
import { TEST_PROTOCOLS } from './helpers.js';

function engine(now?: () => number): FaultEngine {
  return new FaultEngine({ protocols: TEST_PROTOCOLS, ...(now ? { now } : {}) });
}

function errorOf(e: FaultEngine, input: unknown): string {
  try {
    e.add(input);
  } catch (err) {
    expect(err).toBeInstanceOf(FaultRuleError);
    return (err as Error).message;
  }
  throw new Error('rule was accepted');
}

describe('rule validation', () => {
  const e = engine();
  it.each([
    [{ action: { reply: '451 x' } }, /^protocol: /],
    [{ protocol: 'gopher', action: { reply: '451 x' } }, /^protocol: must be one of path, name, mail$/],
    [{ protocol: 'path' }, /^action: /],
    [{ protocol: 'path', action: {} }, /^action: says nothing to do$/],
    [{ protocol: 'path', action: { reply: 'hello' } }, /^action\.reply: a reply code/],
    [{ protocol: 'path', action: { reply: '451 x', colour: 'red' } }, /^action\.colour: unknown field$/],
    [{ protocol: 'path', action: { reply: '451 x' }, colour: 1 }, /^colour: unknown field$/],
    [{ protocol: 'path', match: { verb: 'X' }, action: { reply: '451 x' } }, /^match\.verb: unknown field$/],
    [{ protocol: 'path', match: { command: 'A B' }, action: { drop: true } }, /^match\.command: one word/],
    [{ protocol: 'path', action: { drop: true }, times: 0 }, /^times: /],
    [{ protocol: 'path', action: { drop: true }, times: 1.5 }, /^times: /],
    [{ protocol: 'path', action: { drop: true }, probability: 1.2 }, /^probability: /],
    [{ protocol: 'path', action: { delayMs: -1 } }, /^action\.delayMs: /],
    [{ protocol: 'path', action: { delayMs: 'soon' } }, /^action\.delayMs: /],
    [{ protocol: 'path', action: { status: 503 } }, /^action\.status: path does not apply it to an exchange$/],
    [{ protocol: 'path', action: { latencyMs: 5 } }, /^action\.latencyMs: .*"scope": "connection"/],
    [{ protocol: 'path', action: { reply: '250 fine' } }, /^action\.reply: must be a failure$/],
    [{ protocol: 'name', scope: 'connection', action: { drop: true } }, /^scope: name has no TCP connections$/],
    [
      { protocol: 'path', scope: 'connection', match: { command: 'X' }, action: { drop: true } },
      /^match\.command: a connection-scope rule matches only protocol and peer$/,
    ],
    [{ protocol: 'path', scope: 'connection', action: { reply: '451 x' } }, /^action\.reply: not a TCP-level action/],
    [{ protocol: 'path', action: { drop: true, reset: true }, scope: 'connection' }, /^action\.drop: cannot be/],
    ['not an object', /^rule: /],
  ])('refuses %j', (input, message) => {
    expect(errorOf(e, input)).toMatch(message);
  });

  it('accepts a full rule and shows it with its id, hits and the seed it uses', () => {
    const rule = engine().add({
      protocol: 'path',
      match: { command: 'stor', target: 'up/*', peer: '::ffff:127.0.0.1', user: 'alice' },
      action: { reply: '452 Full', delayMs: 10 },
      times: 2,
      after: 1,
      probability: 0.5,
      expiresMs: 1000,
    });
    expect(rule).toEqual({
      id: 'f1',
      protocol: 'path',
      scope: 'exchange',
      match: { command: 'STOR', target: 'up/*', peer: '::ffff:127.0.0.1', user: 'alice' },
      action: { reply: '452 Full', delayMs: 10 },
      times: 2,
      after: 1,
      probability: 0.5,
      seed: 1,
      expiresMs: 1000,
      hits: 0,
    });
  });
});

describe('matching', () => {
  it('matches command, target, peer and user, all of them', () => {
    const e = engine();
    e.add({
      protocol: 'path',
      match: { command: 'STOR', target: 'up/*', peer: '127.0.0.1', user: 'alice' },
      action: { reply: '452 Full' },
    });
    const facts = { command: 'stor', target: '/up/a.txt', peer: '::ffff:127.0.0.1', user: 'alice' };
    expect(e.decide('path', facts)?.note).toBe('f1: reply 452 Full');
    expect(e.decide('path', { ...facts, command: 'RETR' })).toBeUndefined();
    expect(e.decide('path', { ...facts, target: '/down/a.txt' })).toBeUndefined();
    expect(e.decide('path', { ...facts, target: undefined })).toBeUndefined();
    expect(e.decide('path', { ...facts, peer: '127.0.0.2' })).toBeUndefined();
    expect(e.decide('path', { ...facts, user: 'bob' })).toBeUndefined();
    expect(e.decide('mail', facts)).toBeUndefined();
    expect(e.decide('path', facts, 'connection')).toBeUndefined();
    expect(e.get('f1')?.hits).toBe(1);
  });

  it('takes the first rule that fires, in the order added; "*" is any command', () => {
    const e = engine();
    e.add({ protocol: 'mail', match: { command: 'RCPT', target: 'a@x.test' }, action: { reply: '550 no' }, times: 1 });
    e.add({ protocol: 'mail', match: { command: '*' }, action: { reply: '451 later' } });
    const rcpt = { command: 'RCPT', target: 'A@X.test' };
    expect(e.decide('mail', rcpt)?.ruleId).toBe('f1');
    expect(e.decide('mail', rcpt)?.ruleId).toBe('f2');
    expect(e.decide('mail', { command: 'MAIL' })?.ruleId).toBe('f2');
    expect(e.list().map((r) => r.hits)).toEqual([1, 2]);
  });

  it('knows whether any rule of a protocol and scope is in force', () => {
    const e = engine();
    expect(e.has('path')).toBe(false);
    const rule = e.add({ protocol: 'path', scope: 'connection', action: { drop: true } });
    expect(e.has('path')).toBe(false);
    expect(e.has('path', 'connection')).toBe(true);
    expect(e.remove(rule.id)).toBe(true);
    expect(e.remove(rule.id)).toBe(false);
    expect(e.has('path', 'connection')).toBe(false);
  });
});

describe('scheduling', () => {
  it('skips the first `after` matches, then fires `times` times', () => {
    const e = engine();
    e.add({ protocol: 'path', action: { drop: true }, after: 2, times: 3 });
    const fired = Array.from({ length: 8 }, () => e.decide('path', {}) !== undefined);
    expect(fired).toEqual([false, false, true, true, true, false, false, false]);
    expect(e.get('f1')?.hits).toBe(3);
  });

  it('counts only matching exchanges towards after and times', () => {
    const e = engine();
    e.add({ protocol: 'path', match: { command: 'STOR' }, action: { drop: true }, after: 1, times: 1 });
    expect(e.decide('path', { command: 'RETR' })).toBeUndefined();
    expect(e.decide('path', { command: 'STOR' })).toBeUndefined();
    expect(e.decide('path', { command: 'RETR' })).toBeUndefined();
    expect(e.decide('path', { command: 'STOR' })).toBeDefined();
    expect(e.decide('path', { command: 'STOR' })).toBeUndefined();
  });

  it('stops firing once expired', () => {
    let now = 1_000;
    const e = engine(() => now);
    e.add({ protocol: 'path', action: { drop: true }, expiresMs: 500 });
    expect(e.decide('path', {})).toBeDefined();
    now = 1_499;
    expect(e.decide('path', {})).toBeDefined();
    now = 1_500;
    expect(e.decide('path', {})).toBeUndefined();
  });

  it('draws from the seed: same seed and traffic, same faults; another seed, others', () => {
    const run = (seed: number) => {
      const e = engine();
      e.add({ protocol: 'name', action: { rcode: 'SERVFAIL' }, probability: 0.3, seed });
      return Array.from({ length: 1000 }, () => (e.decide('name', { command: 'A' }) ? 1 : 0));
    };
    const first = run(42);
    expect(run(42)).toEqual(first);
    expect(run(43)).not.toEqual(first);
    const share = first.reduce<number>((n, x) => n + x, 0) / first.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
  });

  it('a seeded generator is uniform enough and repeatable', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.every((x, i) => x === b() && x >= 0 && x < 1 && i >= 0)).toBe(true);
    const buckets = [0, 0, 0, 0];
    for (const x of xs) buckets[Math.floor(x * 4)]! += 1;
    for (const n of buckets) expect(Math.abs(n - 2500)).toBeLessThan(250);
  });
});

describe('changes while deciding', () => {
  it('keeps the hits of a removed rule for its handle, and emits change and hit', () => {
    const e = engine();
    const events: string[] = [];
    e.on('change', () => events.push('change'));
    e.on('hit', (hit, protocol) => events.push(`${protocol} ${hit.ruleId}`));
    const rule = e.add({ protocol: 'path', action: { drop: true } });
    e.decide('path', {});
    e.decide('path', {});
    e.remove(rule.id);
    expect(e.hits(rule.id)).toBe(2);
    expect(e.list()).toEqual([]);
    expect(events).toEqual(['change', 'path f1', 'path f1', 'change']);
    e.clear();
    expect(events.length).toBe(4);
  });

  it('a rule removed by a hit listener does not break the decision in progress', () => {
    const e = engine();
    e.add({ protocol: 'path', action: { drop: true } });
    e.on('hit', () => e.clear());
    expect(e.decide('path', {})?.ruleId).toBe('f1');
    expect(e.decide('path', {})).toBeUndefined();
  });
});

describe('the fault note in exchange records', () => {
  it('is kept by the log, read back from the ring, and shown on the console line and in JSON', async () => {
    const { ExchangeLog } = await import('../../../shared/exchange.js');
    const { formatJson, formatPretty } = await import('../../../shared/exchange-format.js');
    const log = new ExchangeLog({ capacity: 2 });
    const base = {
      protocol: 'smtp' as const,
      side: 'server' as const,
      transport: 'tcp' as const,
      session: 'smtp-1',
      peer: '127.0.0.1:1',
      request: 'RCPT TO:<a@b.test>',
      response: '451 Try again later',
      ok: false,
      bytesIn: 1,
      bytesOut: 2,
      durationMs: 0.1,
    };
    log.add({ ...base, fault: 'f1: reply 451 Try again later' });
    log.add(base);
    const [changed, plain] = log.toArray();
    expect(changed?.fault).toBe('f1: reply 451 Try again later');
    expect(plain && 'fault' in plain).toBe(false);
    expect(formatPretty(changed!)).toMatch(/ {2}\[fault f1: reply 451 Try again later\]$/);
    expect(JSON.parse(formatJson(changed!)).fault).toBe('f1: reply 451 Try again later');
    log.add(base);
    log.add(base);
    expect(log.toArray().some((r) => r.fault !== undefined)).toBe(false);
  });
});
