import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttp, type TestHttp } from './helpers.js';

const run = promisify(execFile);

async function curl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('curl', ['-sS', '--max-time', '20', ...args], { encoding: 'utf8' });
}

let http: TestHttp;
beforeAll(async () => {
  http = await startHttp();
  await fs.writeFile(path.join(http.files, 'a.txt'), 'hello world\n');
  await fs.writeFile(path.join(http.dataDir, 'secret.txt'), 'TOPSECRET');
});
afterAll(() => http.close());

describe('curl', () => {
  it('downloads a byte range (-r) as 206', async () => {
    const { stdout } = await curl('-D', '-', '-r', '0-4', `${http.url}/files/a.txt`);
    expect(stdout).toMatch(/^HTTP\/1\.1 206 Partial Content\r\n/);
    expect(stdout).toMatch(/\r\nContent-Range: bytes 0-4\/12\r\n/i);
    expect(stdout.endsWith('\r\n\r\nhello')).toBe(true);
  });

  it('gets 304 for -z with the Last-Modified date and 200 for an older date', async () => {
    const head = await curl('-I', `${http.url}/files/a.txt`);
    const lastModified = /\r\nLast-Modified: ([^\r]+)\r\n/i.exec(head.stdout)?.[1] ?? '';
    expect(lastModified).toMatch(/GMT$/);
    const fresh = await curl('-o', '/dev/null', '-w', '%{http_code}', '-z', lastModified, `${http.url}/files/a.txt`);
    expect(fresh.stdout).toBe('304');
    const stale = await curl(
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-z',
      'Mon, 01 Jan 2001 00:00:00 GMT',
      `${http.url}/files/a.txt`,
    );
    expect(stale.stdout).toBe('200');
  });

  it('gets 304 for If-None-Match with the ETag', async () => {
    const head = await curl('-I', `${http.url}/files/a.txt`);
    const etag = /\r\nETag: ([^\r]+)\r\n/i.exec(head.stdout)?.[1] ?? '';
    expect(etag).not.toBe('');
    const res = await curl(
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-H',
      `If-None-Match: ${etag}`,
      `${http.url}/files/a.txt`,
    );
    expect(res.stdout).toBe('304');
  });

  it('HEAD (-I) gives the length without a body', async () => {
    const { stdout } = await curl('-I', `${http.url}/files/a.txt`);
    expect(stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(stdout).toMatch(/\r\nContent-Length: 12\r\n/i);
    expect(stdout.endsWith('\r\n\r\n')).toBe(true);
  });

  it('reuses one keep-alive connection for two URLs', async () => {
    const { stdout, stderr } = await curl('-v', `${http.url}/files/a.txt`, `${http.url}/ip`);
    expect(stdout).toContain('hello world');
    expect(stdout).toContain('"ip":"127.0.0.1"');
    expect(stderr).toMatch(/Re-using existing connection/i);
    const records = http.log.toArray().filter((r) => r.request === 'GET /files/a.txt' || r.request === 'GET /ip');
    const [a, b] = records.slice(-2);
    expect(a?.session).toBe(b?.session);
  });

  it('cannot leave the root with --path-as-is', async () => {
    for (const target of ['/files/../secret.txt', '/files/../../../../etc/passwd', '/files/%2e%2e/secret.txt']) {
      const { stdout } = await curl('--path-as-is', '-w', '\n%{http_code}', `${http.url}${target}`);
      const [body, code] = stdout.split('\n');
      expect(Number(code)).toBeGreaterThanOrEqual(400);
      expect(Number(code)).toBeLessThan(500);
      expect(body).not.toContain('TOPSECRET');
      expect(body).not.toContain('root:');
      expect(JSON.parse(body ?? '')).toHaveProperty('error');
    }
  });
});

describe('curl and the Range rules of RFC 9110', () => {
  it('answers If-Range with a weak or another entity tag with 200 and the whole file (§13.1.5: strong match only)', async () => {
    const head = await curl('-I', `${http.url}/files/a.txt`);
    const etag = /\r\nETag: ([^\r]+)\r\n/i.exec(head.stdout)?.[1] ?? '';
    expect(etag).toMatch(/^"[^"]+"$/);
    for (const tag of [`W/${etag}`, 'W/"anything"', '"anything"', `${etag.slice(0, -2)}"`]) {
      const { stdout } = await curl('-D', '-', '-r', '0-4', '-H', `If-Range: ${tag}`, `${http.url}/files/a.txt`);
      expect(stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(stdout).not.toMatch(/\r\nContent-Range:/i);
      expect(stdout.endsWith('\r\n\r\nhello world\n')).toBe(true);
    }
  });

  it('resumes with 206 when If-Range carries the current (strong) entity tag, as curl -C and browsers do', async () => {
    const head = await curl('-I', `${http.url}/files/a.txt`);
    const etag = /\r\nETag: ([^\r]+)\r\n/i.exec(head.stdout)?.[1] ?? '';
    const { stdout } = await curl('-D', '-', '-r', '6-', '-H', `If-Range: ${etag}`, `${http.url}/files/a.txt`);
    expect(stdout).toMatch(/^HTTP\/1\.1 206 /);
    expect(stdout).toMatch(/\r\nContent-Range: bytes 6-11\/12\r\n/i);
    expect(stdout.endsWith('\r\n\r\nworld\n')).toBe(true);
  });

  it('answers If-Range with a date other than Last-Modified (even a later one) with 200 (§13.1.5: exact match)', async () => {
    const head = await curl('-I', `${http.url}/files/a.txt`);
    const lastModified = /\r\nLast-Modified: ([^\r]+)\r\n/i.exec(head.stdout)?.[1] ?? '';
    const later = new Date(Date.parse(lastModified) + 1000).toUTCString();
    const { stdout } = await curl('-D', '-', '-r', '6-', '-H', `If-Range: ${later}`, `${http.url}/files/a.txt`);
    expect(stdout).toMatch(/^HTTP\/1\.1 200 /);
    expect(stdout.endsWith('\r\n\r\nhello world\n')).toBe(true);
  });

  it('still answers 206 for If-Range with the current Last-Modified date', async () => {
    const head = await curl('-I', `${http.url}/files/a.txt`);
    const lastModified = /\r\nLast-Modified: ([^\r]+)\r\n/i.exec(head.stdout)?.[1] ?? '';
    const { stdout } = await curl('-D', '-', '-r', '6-', '-H', `If-Range: ${lastModified}`, `${http.url}/files/a.txt`);
    expect(stdout).toMatch(/^HTTP\/1\.1 206 /);
    expect(stdout.endsWith('\r\n\r\nworld\n')).toBe(true);
  });

  it('serves the whole file for a suffix range longer than it (-r -N, §14.1.3)', async () => {
    const { stdout } = await curl('-D', '-', '-r', '-500', `${http.url}/files/a.txt`);
    expect(stdout).toMatch(/^HTTP\/1\.1 206 Partial Content\r\n/);
    expect(stdout).toMatch(/\r\nContent-Range: bytes 0-11\/12\r\n/i);
    expect(stdout.endsWith('\r\n\r\nhello world\n')).toBe(true);
    const inside = await curl('-D', '-', '-r', '-6', `${http.url}/files/a.txt`);
    expect(inside.stdout).toMatch(/\r\nContent-Range: bytes 6-11\/12\r\n/i);
    expect(inside.stdout.endsWith('\r\n\r\nworld\n')).toBe(true);
  });

  it('keeps a zero-length suffix and a start past the end unsatisfiable (416)', async () => {
    for (const range of ['-0', '50-']) {
      const { stdout } = await curl('-o', '/dev/null', '-w', '%{http_code}', '-r', range, `${http.url}/files/a.txt`);
      expect(stdout).toBe('416');
    }
  });
});
