import { describe, expect, it } from 'vitest';
import { FaultRuleError, formatFaultLine, parseFaultLine, splitWords } from '../../../shared/faults/index.js';

describe('parseFaultLine', () => {
  it.each([
    [
      'smtp RCPT *@blocked.test reply="451 4.7.1 Try again later" times=1',
      {
        protocol: 'smtp',
        match: { command: 'RCPT', target: '*@blocked.test' },
        action: { reply: '451 4.7.1 Try again later' },
        times: 1,
      },
    ],
    [
      'http GET /api/** status=503 header.Retry-After=30 body=\'{"error": "busy"}\'',
      {
        protocol: 'http',
        match: { command: 'GET', target: '/api/**' },
        action: { status: 503, headers: { 'Retry-After': '30' }, body: '{"error": "busy"}' },
      },
    ],
    [
      'dns * *.suite.test rcode=SERVFAIL probability=30% seed=7',
      { protocol: 'dns', match: { target: '*.suite.test' }, action: { rcode: 'SERVFAIL' }, probability: 0.3, seed: 7 },
    ],
    ['dns A drop', { protocol: 'dns', match: { command: 'A' }, action: { drop: true } }],
    [
      'ftp scope=connection latencyMs=200 peer=127.0.0.1',
      { protocol: 'ftp', scope: 'connection', match: { peer: '127.0.0.1' }, action: { latencyMs: 200 } },
    ],
    [
      'ftp command=STOR full/* action.reply="452 Disk full" reset=false after=2 expiresMs=60000',
      {
        protocol: 'ftp',
        match: { command: 'STOR', target: 'full/*' },
        action: { reply: '452 Disk full', reset: false },
        after: 2,
        expiresMs: 60000,
      },
    ],
    [
      'http GET "/a b/*" closeAfterBytes=100 reset user=bob',
      {
        protocol: 'http',
        match: { command: 'GET', target: '/a b/*', user: 'bob' },
        action: { closeAfterBytes: 100, reset: true },
      },
    ],
  ])('%s', (line, rule) => {
    expect(parseFaultLine(line)).toEqual(rule);
  });

  it.each([
    ['', /^protocol: /],
    ['status=503', /^protocol: /],
    ['http GET / x', /^rule: unexpected word "x"/],
    ['http GET status=soon', /^action\.status: expected a number, got "soon"$/],
    ['http GET colour=red', /^colour: unknown field$/],
    ['smtp RCPT reply="451 x', /^rule: unclosed " quote$/],
    ['dns A drop=maybe', /^action\.drop: expected true or false/],
  ])('refuses %j', (line, message) => {
    expect(() => parseFaultLine(line)).toThrow(FaultRuleError);
    expect(() => parseFaultLine(line)).toThrow(message);
  });

  it('splits words with both quotes and escapes', () => {
    expect(splitWords(`a  "b \\" c" 'd "e"' f=" g"`)).toEqual(['a', 'b " c', 'd "e"', 'f= g']);
  });

  it('formats a rule back into a line that parses to the same rule', () => {
    const rules = [
      {
        protocol: 'http',
        match: { command: 'GET', target: '/a b/*', peer: '127.0.0.1', user: 'x"y' },
        action: { status: 503, headers: { 'Retry-After': '30' }, body: 'say "hi"\\', delayMs: 5 },
        times: 2,
        after: 1,
        probability: 0.25,
        seed: 9,
        expiresMs: 100,
      },
      { protocol: 'dns', match: { target: '*.test' }, action: { truncate: true, wrongId: true } },
      { protocol: 'smtp', scope: 'connection' as const, action: { reset: true, closeAfterBytes: 10 } },
    ];
    for (const rule of rules) expect(parseFaultLine(formatFaultLine(rule))).toEqual(rule);
  });
});
