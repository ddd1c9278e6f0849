/**
 * Fuzzing the one-line fault rule syntax (shared/faults/syntax.ts) with fast-check (issue #17):
 * random text and lines assembled from the syntax's pieces. Parsing and validating either give a
 * rule or a FaultRuleError ("<field>: <why>"), never another exception; a rule that validates
 * prints back (formatFaultLine) to a line that parses to the same rule.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FaultEngine } from '../../shared/faults/engine.js';
import { FaultRuleError } from '../../shared/faults/rule.js';
import { formatFaultLine, parseFaultLine } from '../../shared/faults/syntax.js';
import { FAULT_PROTOCOLS } from '../../suite/faults.js';

const engine = new FaultEngine({ protocols: FAULT_PROTOCOLS });

const word = fc.oneof(
  fc.constantFrom('http', 'ftp', 'smtp', 'dns', 'gopher', '*', 'GET', 'RCPT', 'STOR', 'A', '/api/**', '*.suite.test'),
  fc.constantFrom(
    'status=503',
    'status=99',
    'status=abc',
    'reply="451 4.7.1 Try again later"',
    'reply=550',
    'rcode=SERVFAIL',
  ),
  fc.constantFrom(
    'delayMs=200',
    'delayMs=-1',
    'delayMs=1e9',
    'times=1',
    'after=2',
    'probability=30%',
    'probability=101%',
  ),
  fc.constantFrom('seed=7', 'scope=connection', 'scope=nope', 'latencyMs=5', 'bandwidthBps=100', 'closeAfterBytes=10'),
  fc.constantFrom(
    'header.Retry-After=30',
    'header.=x',
    'body="x y"',
    'peer=127.0.0.2',
    'user=alice',
    'target=x',
    'command=*',
  ),
  fc.constantFrom('drop', 'reset', 'truncate', 'close', 'wrongId', '=', '"', "'", '"a\\"b"', "'unclosed", 'x=', '=y'),
  fc.string({ maxLength: 10 }),
);
const line = fc.array(word, { minLength: 0, maxLength: 7 }).map((w) => w.join(' '));
/** Valid rules with random pieces added: many still validate, so the round trip is exercised. */
const BASES = [
  'http GET /x status=503',
  'smtp RCPT *@b.test reply="451 4.7.1 Try again later"',
  'dns * *.suite.test rcode=SERVFAIL',
  'ftp scope=connection latencyMs=200',
  'http * /api/** delayMs=10 times=2',
];
const nearValid = fc
  .tuple(fc.constantFrom(...BASES), fc.array(word, { maxLength: 2 }))
  .map(([base, extra]) => [base, ...extra].join(' '));

/** Parses and validates; returns the input rule, or undefined after a FaultRuleError. */
function tryRule(text: string) {
  try {
    const input = parseFaultLine(text);
    engine.validate(input);
    return input;
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(FaultRuleError);
    const e = err as FaultRuleError;
    expect(e.message.startsWith(`${e.field}: `), e.message).toBe(true);
    return undefined;
  }
}

describe('fuzz: fault rule syntax', () => {
  it('random text: a rule or a FaultRuleError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        tryRule(text);
      }),
      { numRuns: 500 },
    );
  });

  it('lines of rule pieces: a rule or a FaultRuleError; a valid rule prints back to itself', () => {
    let valid = 0;
    fc.assert(
      fc.property(fc.oneof(line, nearValid), (text) => {
        const input = tryRule(text);
        if (input === undefined) return;
        valid++;
        // The same rule once validated (`command=*` and a bare `*` both mean any command).
        expect(engine.validate(parseFaultLine(formatFaultLine(input)))).toEqual(engine.validate(input));
      }),
      { numRuns: 500 },
    );
    // The generator does reach valid rules, so the round trip was exercised.
    expect(valid).toBeGreaterThan(0);
  });
});
