import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Suite, startSuite } from '../../suite/start-suite.js';

const exec = promisify(execFile);
let suite: Suite;

beforeAll(async () => {
  suite = await startSuite({ protocols: ['dns'] });
});
afterAll(() => suite.close({ graceMs: 0 }));

async function dig(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await exec('dig', ['@127.0.0.1', '-p', String(suite.dns.port), '+time=1', '+tries=1', ...args]);
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: e.code ?? -1, out: e.stdout ?? '' };
  }
}

describe('DNS faults seen by dig', () => {
  it('times out on a dropped query (exit 9)', async () => {
    const rule = suite.faults.add({ protocol: 'dns', match: { target: 'ns.suite.test' }, action: { drop: true } });
    const result = await dig('ns.suite.test', 'A');
    rule.remove();
    expect(result.code).toBe(9);
    expect(result.out).toMatch(/timed out/);
    expect(rule.hits).toBe(1);
  });

  it('retries over TCP on TC=1 and prints the answer', async () => {
    const rule = suite.faults.add({ protocol: 'dns', match: { target: 'www.suite.test' }, action: { truncate: true } });
    const result = await dig('www.suite.test', 'A');
    rule.remove();
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Truncated, retrying in TCP mode/);
    expect(result.out).toMatch(/^www\.suite\.test\.\s+\d+\s+IN\s+A\s+127\.0\.0\.1$/m);
    expect(result.out).toMatch(/\(TCP\)/);
  });

  it('shows the rcode a rule answers with', async () => {
    const rule = suite.faults.add({ protocol: 'dns', match: { command: 'MX' }, action: { rcode: 'SERVFAIL' } });
    const result = await dig('suite.test', 'MX');
    rule.remove();
    expect(result.out).toMatch(/status: SERVFAIL/);
  });
});
