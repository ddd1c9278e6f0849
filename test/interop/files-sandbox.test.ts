/**
 * Issue #17 in a real browser: an HTML page uploaded over FTP and opened at /files/... cannot
 * script the console's API. Headless Chromium (Debian's, through playwright-core) opens the
 * uploaded page; `Content-Security-Policy: sandbox` gives it an opaque origin and no scripts, so
 * its script neither runs nor reads /api/mail nor deletes the mail. The control: the very same page
 * served from another (unsandboxed) origin does run, and its request reaches the server, so the
 * test would see an attack that got through.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FtpClient } from '../../protocols/ftp/client.js';
import { type Suite, startSuite } from '../../suite/start-suite.js';
import { type Browser, launch } from './console/browser.js';

let suite: Suite;
let browser: Browser;
let url: string;
/** Another origin on loopback (another port) serving the same page without a sandbox. */
let control: http.Server;
let controlUrl: string;

/** The attacker's page: reads the mail, posts it away, deletes it; marks the title when it ran. */
function page(tag: string, api: string): string {
  return `<!doctype html><html><head><title>not scripted</title></head><body>
<p id="p">uploaded page</p>
<script>
  document.title = 'scripted';
  fetch(${JSON.stringify(`${api}/api/mail?from=${tag}`)}).then((r) => r.text()).then((t) => {
    document.getElementById('p').textContent = 'read: ' + t.length;
  }).catch(() => {});
  fetch(${JSON.stringify(`${api}/api/mail`)}, { method: 'DELETE', headers: { 'X-Minisuite': '1' } }).catch(() => {});
</script></body></html>`;
}

/** Requests the HTTP server recorded whose request line contains `text`. */
async function seen(text: string): Promise<number> {
  const res = await fetch(`${url}/api/exchanges?protocol=http&limit=1000`);
  const body = (await res.json()) as { exchanges?: { request: string }[] } | { request: string }[];
  const list = Array.isArray(body) ? body : (body.exchanges ?? []);
  return list.filter((e) => e.request.includes(text)).length;
}

async function mailCount(): Promise<number> {
  const res = await fetch(`${url}/api/mail`);
  const body = (await res.json()) as { total?: number; messages?: unknown[] } | unknown[];
  return Array.isArray(body) ? body.length : (body.total ?? body.messages?.length ?? 0);
}

beforeAll(async () => {
  suite = await startSuite({ ftpUsers: ['mallory:pw'] });
  url = suite.http.url;
  await nodemailer
    .createTransport({ host: '127.0.0.1', port: suite.smtp.port })
    .sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'secret', text: 'the secret' });
  // Uploaded by a real FTP client, as an attacker with an account would.
  const ftp = await FtpClient.connect(`ftp://mallory:pw@127.0.0.1:${suite.ftp.port}/`);
  await ftp.upload(Readable.from([page('evil', '')]), '/evil.html');
  ftp.close();
  control = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(page('control', url));
  });
  await new Promise<void>((r) => control.listen(0, '127.0.0.1', () => r()));
  controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}/page.html`;
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await suite?.close();
  await new Promise((r) => control?.close(r));
});

describe('an uploaded page in Chromium', () => {
  it('is sandboxed at /files/: no script runs, the API is neither read nor changed', async () => {
    expect(await mailCount()).toBe(1);
    const { page: tab } = browser;
    const response = await tab.goto(`${url}/files/evil.html`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toMatch(/\bsandbox\b/);
    expect(await tab.locator('#p').textContent()).toBe('uploaded page');
    expect(await tab.title()).toBe('not scripted');
    // An opaque origin: even a script that ran could not read the console's origin.
    expect(await tab.evaluate(() => (globalThis as unknown as { origin: string }).origin)).toBe('null');

    // The control: the same page from an unsandboxed origin runs, and its request arrives.
    await tab.goto(controlUrl, { waitUntil: 'load' });
    await expect.poll(() => tab.title()).toBe('scripted');
    await expect.poll(() => seen('from=control')).toBeGreaterThan(0);
    // By then anything the sandboxed page had sent would have arrived too: nothing did.
    expect(await seen('from=evil')).toBe(0);
    expect(await mailCount()).toBe(1);
    // Chromium itself says why the uploaded page's script did not run.
    expect(browser.errors).toContainEqual(
      expect.stringMatching(
        /Blocked script execution in '[^']*\/files\/evil\.html' because the document's frame is sandboxed/,
      ),
    );
  });
});
