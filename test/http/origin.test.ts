/**
 * The console's origin stays the console's: uploaded files cannot script it (CSP sandbox,
 * nosniff); request heads node lets through are refused (duplicate Host, unknown coding). The
 * console's own guard (CSRF, Host check) is tested in test/console/origin.test.ts.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRequestHead } from '../../protocols/http/request-checks.js';
import { rawRequest, startHttp, type TestHttp } from './helpers.js';

let http: TestHttp;
let port: number;

const raw = (request: string) => rawRequest(port, request);

beforeAll(async () => {
  http = await startHttp();
  port = http.service.port;
  await fs.writeFile(
    path.join(http.files, 'evil.html'),
    '<script>fetch("/api/mail").then(r=>r.text()).then(t=>fetch("/api/mail",{method:"DELETE"}))</script>',
  );
  await fs.writeFile(
    path.join(http.files, 'evil.svg'),
    '<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>',
  );
});
afterAll(() => http.close());

describe('/files/ cannot script the console', () => {
  for (const name of ['evil.html', 'evil.svg', '']) {
    it(`serves /files/${name} sandboxed and unsniffable, from disk and from the cache`, async () => {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${http.url}/files/${name}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-security-policy')).toBe('sandbox');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        await res.arrayBuffer();
      }
    });
  }

  it('sends each of the two headers once on a cache hit', async () => {
    await fetch(`${http.url}/files/evil.html`).then((r) => r.arrayBuffer());
    const { text } = await raw('GET /files/evil.html HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(text.match(/^Content-Security-Policy:/gim)).toHaveLength(1);
    expect(text.match(/^X-Content-Type-Options:/gim)).toHaveLength(1);
  });
});

describe('request heads node lets through', () => {
  it('answers two Host fields with 400 and closes', async () => {
    const { status, text } = await raw('GET /files/ HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n');
    expect(status).toBe(400);
    expect(text).toMatch(/Host/);
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
  });

  for (const coding of ['gzip', 'gzip, chunked', 'chunked, gzip', 'x-custom']) {
    it(`answers Transfer-Encoding: ${coding} with 501`, async () => {
      const { status, text } = await raw(
        `POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ${coding}\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
      );
      expect(status).toBe(501);
      expect(text).toMatch(/\r\nConnection: close\r\n/i);
    });
  }

  it('still serves chunked bodies', async () => {
    const { status, text } = await raw(
      'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    );
    expect(status).toBe(200);
    expect(text).toContain('"body":"abc"');
  });

  it('checks the raw header list by rule', () => {
    expect(checkRequestHead(['Host', 'a', 'HOST', 'a'])?.status).toBe(400);
    expect(checkRequestHead(['Host', 'a', 'Transfer-Encoding', 'Chunked'])).toBeUndefined();
    expect(checkRequestHead(['transfer-encoding', 'chunked;x=1, br'])?.status).toBe(501);
    expect(checkRequestHead(['Host', 'a'])).toBeUndefined();
  });
});
