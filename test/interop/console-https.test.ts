/**
 * The console over HTTPS in a real headless Chromium that verifies the certificate: the suite's CA
 * is trusted the way a user trusts one on Linux, in the NSS database of the browser's HOME (made
 * with NSS's certutil), and Chromium runs without --ignore-certificate-errors. Without the CA in
 * that database, or under a name the certificate lacks, the page does not load.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Suite, startSuite } from '../../suite/start-suite.js';
import { caFile, portOf, runTool } from '../tls/helpers.js';
import { CHROMIUM_ARGS, launch, trustingHome } from './console/browser.js';

let suite: Suite;
let port: number;
const homes: string[] = [];

beforeAll(async () => {
  suite = await startSuite({ protocols: ['http', 'dns'], tls: true, tlsNames: ['api.example.test'] });
  port = portOf(suite.http.httpsUrl);
});

afterAll(async () => {
  await suite?.close();
  for (const home of homes) await fs.rm(home, { recursive: true, force: true });
});

async function home(ca?: string): Promise<string> {
  const dir = await trustingHome(ca);
  homes.push(dir);
  return dir;
}

describe('the console over HTTPS in Chromium', () => {
  it('never skips certificate checks', () => {
    expect(CHROMIUM_ARGS.filter((a) => /ignore-certificate|allow-insecure/.test(a))).toEqual([]);
  });

  it('loads over HTTPS with the suite CA trusted, live, and shows a record of TLS traffic', async () => {
    const browser = await launch({
      home: await home(caFile(suite)),
      // Both names lead to this machine; only one of them is in the certificate.
      args: ['--host-resolver-rules=MAP api.example.test 127.0.0.1, MAP wrong.example.test 127.0.0.1'],
    });
    try {
      const { page } = browser;
      const response = await page.goto(`https://localhost:${port}/`);
      expect(response?.status()).toBe(200);
      const security = await response?.securityDetails();
      expect(security?.protocol).toMatch(/^TLS 1\.[23]$/);
      expect(security?.subjectName).toBe('localhost');
      expect(security?.issuer).toMatch(/^minisuite local CA/);
      await expect.poll(() => page.locator('#live').textContent(), { timeout: 15_000 }).toBe('live');

      // Traffic from a real client that verifies the same CA, over TLS; its row arrives live.
      const curl = await runTool('curl', [
        '-sS',
        '--max-time',
        '20',
        '--cacert',
        caFile(suite),
        `https://localhost:${port}/get?over=tls`,
      ]);
      expect(curl.code).toBe(0);
      const row = page.locator('#tl-body tr', { hasText: 'GET /get?over=tls' });
      await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
      await row.click();
      const detail = page.locator('#tl-detail dl').first();
      const terms = await detail.locator('dt').allTextContents();
      const values = await detail.locator('dd').allTextContents();
      expect(values[terms.indexOf('transport')]).toBe('tls');
      expect(values[terms.indexOf('response')]).toMatch(/^200\b/);

      // The status panel names the certificate in use.
      await page.goto(`https://localhost:${port}/#status`);
      await expect
        .poll(() => page.locator('#status-tls').textContent(), { timeout: 15_000 })
        .toMatch(/api\.example\.test/);
      await page.screenshot({ path: path.join(browser.artifacts, 'https-status.png') });

      // A name given with --tls-name verifies too; a name the certificate lacks does not.
      const named = await page.goto(`https://api.example.test:${port}/healthz`);
      expect(named).not.toBeNull();
      expect(await named?.securityDetails()).not.toBeNull();
      await expect(page.goto(`https://wrong.example.test:${port}/`)).rejects.toThrow(/ERR_CERT_COMMON_NAME_INVALID/);
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('does not load without the CA trusted: a certificate error', async () => {
    const browser = await launch({ home: await home() });
    try {
      await expect(browser.page.goto(`https://localhost:${port}/`)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await browser.close();
    }
  });
});
