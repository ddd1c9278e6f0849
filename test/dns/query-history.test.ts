import { describe, expect, it } from 'vitest';
import { QueryHistory } from '../../protocols/dns/query-history.js';
import type { QueryEvent } from '../../protocols/dns/server.js';

const event = (n: number, extra: Partial<QueryEvent> = {}): QueryEvent => ({
  time: new Date(1_700_000_000_000 + n),
  transport: n % 2 === 0 ? 'udp' : 'tcp',
  peer: `127.0.0.1:${40_000 + n}`,
  session: 'dns-udp',
  message: undefined,
  request: '',
  response: '',
  ok: true,
  rcode: 'NOERROR',
  question: { name: `n${n}.test`, type: 'A' },
  answers: n,
  truncated: n % 3 === 0,
  bytesIn: 0,
  bytesOut: 0,
  durationMs: 0,
  ...extra,
});

describe('query history', () => {
  it('gives back every field, oldest first', () => {
    const h = new QueryHistory(10);
    h.add(event(1));
    h.add(event(2, { question: undefined, rcode: 'FORMERR' }));
    expect(h.toArray()).toEqual([
      {
        name: 'n1.test',
        type: 'A',
        transport: 'tcp',
        peer: '127.0.0.1:40001',
        rcode: 'NOERROR',
        answers: 1,
        truncated: false,
        time: new Date(1_700_000_000_001),
      },
      {
        name: undefined,
        type: undefined,
        transport: 'udp',
        peer: '127.0.0.1:40002',
        rcode: 'FORMERR',
        answers: 2,
        truncated: false,
        time: new Date(1_700_000_000_002),
      },
    ]);
  });

  it('keeps the newest `capacity` queries', () => {
    const h = new QueryHistory(3);
    for (let n = 1; n <= 7; n++) h.add(event(n));
    expect(h.size).toBe(3);
    expect(h.toArray().map((q) => [q.name, q.truncated])).toEqual([
      ['n5.test', false],
      ['n6.test', true],
      ['n7.test', false],
    ]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new QueryHistory(0)).toThrow(RangeError);
  });
});
