import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { suiteStarter } from './helpers.js';

const exec = promisify(execFile);
const httpSuite = suiteStarter(['http']);

/** curl's exit code, the headers it got and the body bytes it saved. */
async function curl(url: string, ...args: string[]): Promise<{ code: number; headers: string; size: number }> {
  const parse = (code: number, stdout: string) => {
    const cut = stdout.lastIndexOf('\n');
    return { code, headers: stdout.slice(0, cut + 1).trim(), size: Number(stdout.slice(cut + 1)) };
  };
  const argv = ['-s', '-D', '-', '-o', '/dev/null', '-w', '\n%{size_download}', ...args, url];
  try {
    const { stdout } = await exec('curl', argv);
    return parse(0, stdout);
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return parse(e.code ?? -1, e.stdout ?? '');
  }
}

describe('HTTP faults with real clients', () => {
  it('curl and fetch see 503 with Retry-After and the fault body; other paths are untouched', async () => {
    const suite = await httpSuite();
    const rule = suite.faults.add({
      protocol: 'http',
      match: { command: 'GET', target: '/status/*' },
      action: { status: 503, headers: { 'Retry-After': '120' }, body: '{"error":"maintenance"}' },
    });
    const seen = await curl(`${suite.http.url}/status/200?x=1`);
    expect(seen.code).toBe(0);
    expect(seen.headers).toMatch(/^HTTP\/1\.1 503 /);
    expect(seen.headers).toMatch(/^Retry-After: 120\r$/im);
    const res = await fetch(`${suite.http.url}/status/204`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('120');
    expect(await res.json()).toEqual({ error: 'maintenance' });
    expect((await fetch(`${suite.http.url}/status/201`, { method: 'POST' })).status).toBe(201);
    expect((await fetch(`${suite.http.url}/status/200/more`)).status).not.toBe(503);
    expect(rule.hits).toBe(2);
    const record = await suite.waitFor('http', (r) => r.fault !== undefined);
    expect(record).toMatchObject({ request: 'GET /status/200?x=1', response: '503 Service Unavailable', ok: false });
    expect(record.fault).toBe(`${rule.id}: status 503`);
  });

  it('a body cut after N bytes: curl exits 18 (FIN) or 56 (RST), fetch fails reading the body', async () => {
    const suite = await httpSuite();
    suite.faults.add({ protocol: 'http', match: { target: '/bytes/*' }, action: { closeAfterBytes: 1000 } });
    const cut = await curl(`${suite.http.url}/bytes/100000`);
    expect(cut.code).toBe(18);
    expect(cut.size).toBe(1000);
    expect(cut.headers).toMatch(/^Content-Length: 100000\r$/im);
    const res = await fetch(`${suite.http.url}/bytes/100000`);
    expect(res.status).toBe(200);
    await expect(res.arrayBuffer()).rejects.toThrow();
    suite.faults.clear();
    suite.faults.add({
      protocol: 'http',
      match: { target: '/bytes/*' },
      action: { closeAfterBytes: 500, reset: true },
    });
    const reset = await curl(`${suite.http.url}/bytes/100000`);
    expect([18, 56]).toContain(reset.code);
    expect(reset.size).toBeLessThanOrEqual(500);
    const record = await suite.waitFor('http', (r) => r.fault?.includes('reset after 500 B') === true);
    expect(record.response).toMatch(/^200 OK \(aborted\)$/);
  });

  it('a reset before the headers: curl reports an empty reply or a receive failure', async () => {
    const suite = await httpSuite();
    suite.faults.add({ protocol: 'http', match: { target: '/headers' }, action: { reset: true } });
    const seen = await curl(`${suite.http.url}/headers`);
    expect([52, 56]).toContain(seen.code);
    expect(seen.headers).toBe('');
    const record = await suite.waitFor('http', (r) => r.fault !== undefined);
    expect(record.response).toBe('(reset)');
  });

  it('a slow drip: the whole body arrives, in many pieces, no sooner than bandwidth allows', async () => {
    const suite = await httpSuite();
    suite.faults.add({
      protocol: 'http',
      match: { target: '/bytes/*' },
      action: { bandwidthBps: 2000, sliceBytes: 50 },
    });
    const t0 = performance.now();
    const res = await fetch(`${suite.http.url}/bytes/600`);
    const reader = res.body!.getReader();
    let size = 0;
    let reads = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      reads++;
    }
    expect(size).toBe(600);
    expect(reads).toBeGreaterThan(3);
    // The headers and 600 body bytes at 2000 B/s take at least 300 ms.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    // The next response on the same server is not slowed.
    expect((await fetch(`${suite.http.url}/headers`)).status).toBe(200);
  });

  it('a dropped request gets no response (curl times out); the fault API is never faulted', async () => {
    const suite = await httpSuite();
    suite.faults.add({ protocol: 'http', action: { drop: true } });
    const seen = await curl(`${suite.http.url}/headers`, '--max-time', '1');
    expect(seen.code).toBe(28);
    const rules = suite.faults.list();
    expect(rules.length).toBe(1);
  });
});
