/**
 * The web console in a real headless Chromium (Debian's, through playwright-core), after real
 * traffic on all four protocols made by real clients (curl, dig, nodemailer, fetch).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Suite, startSuite } from '../../suite/start-suite.js';
import { type Browser, launch } from './console/browser.js';

const run = promisify(execFile);
/** A 2x2 red PNG, the inline (cid:) image. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8DAwMDAxMDAAAAd9gH/Q6p0RwAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(2000)]);
const BIN = randomBytes(5000);
const HOSTILE_SUBJECT = '<img src=x onerror=alert(1)>';

let suite: Suite;
let browser: Browser;
let url: string;

function dig(...args: string[]) {
  return run('dig', ['@127.0.0.1', '-p', String(suite.dns.port), '+time=5', '+tries=1', ...args], { timeout: 20_000 });
}
function curl(...args: string[]) {
  return run('curl', ['-sS', '--max-time', '20', ...args], { timeout: 25_000, encoding: 'buffer' });
}
function mailer() {
  return nodemailer.createTransport({ host: '127.0.0.1', port: suite.smtp.port });
}

/** An <img> as the browser gives it (the tests type-check without the DOM library). */
type Img = { naturalWidth: number; complete: boolean; src: string };

/** Every text in a locator's rows, for readable failures. */
async function texts(rows: Locator): Promise<string[]> {
  return rows.allInnerTexts();
}

beforeAll(async () => {
  suite = await startSuite({
    files: { 'hello.txt': 'hello world\n', 'docs/readme.md': '# read me\n' },
    records: ['api.suite.test. 60 IN A 10.1.2.3'],
  });
  url = suite.http.url;
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await suite?.close();
});

describe('the console in Chromium', () => {
  it('shows rows of every protocol live, filters them, and opens a record and its session', async () => {
    const { page } = browser;
    await page.goto(`${url}/`);
    await expect.poll(() => page.locator('#live').textContent()).toBe('live');

    // Real traffic after the page is up: rows must arrive without a reload.
    await dig('www.suite.test', 'A');
    await curl(`ftp://127.0.0.1:${suite.ftp.port}/hello.txt`);
    await curl(`ftp://127.0.0.1:${suite.ftp.port}/missing.txt`).catch(() => undefined);
    await fetch(`${url}/files/hello.txt`);
    await mailer().sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'ping', text: 'ping' });

    const body = page.locator('#tl-body');
    for (const protocol of ['dns', 'ftp', 'smtp', 'http'])
      await expect.poll(() => body.locator(`tr.p-${protocol}`).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect
      .poll(() => texts(body.locator('tr.p-ftp')))
      .toEqual(expect.arrayContaining([expect.stringMatching(/RETR hello\.txt[\s\S]*226/)]));
    await expect
      .poll(() => texts(body.locator('tr.p-dns')))
      .toEqual(expect.arrayContaining([expect.stringMatching(/A www\.suite\.test/)]));
    // The failed RETR is marked.
    await expect
      .poll(() => texts(body.locator('tr.fail')))
      .toEqual(expect.arrayContaining([expect.stringMatching(/(SIZE|RETR) missing\.txt[\s\S]*550/)]));

    // The console's own requests are recorded but hidden, until asked for.
    expect(suite.exchanges.some((r) => r.request.startsWith('GET /api/exchanges'))).toBe(true);
    expect((await texts(body.locator('tr'))).some((t) => /GET \/(api|console)\//.test(t))).toBe(false);
    await page.locator('#tl-filters input[name=own]').check();
    await expect
      .poll(() => texts(body.locator('tr')))
      .toEqual(expect.arrayContaining([expect.stringMatching(/GET \/console\/app\.js/)]));
    await page.locator('#tl-filters input[name=own]').uncheck();

    // Protocol filter: only FTP left.
    for (const p of ['http', 'smtp', 'dns']) await page.locator(`#tl-filters input[value=${p}]`).uncheck();
    await expect
      .poll(async () => (await body.locator('tr').count()) === (await body.locator('tr.p-ftp').count()))
      .toBe(true);
    // Failed only.
    await page.locator('#tl-filters select[name=ok]').selectOption('failed');
    await expect.poll(() => texts(body.locator('tr'))).toEqual([expect.stringMatching(/missing\.txt/)]);
    await page.locator('#tl-filters select[name=ok]').selectOption('');
    // Free text.
    await page.locator('#tl-filters input[name=text]').fill('hello.txt');
    await expect.poll(async () => (await texts(body.locator('tr'))).every((t) => t.includes('hello.txt'))).toBe(true);
    // Client side: nothing here was sent by the suite's own clients.
    await page.locator('#tl-filters select[name=side]').selectOption('client');
    await expect.poll(() => body.locator('tr').count()).toBe(0);
    await page.locator('#tl-filters select[name=side]').selectOption('');

    // Pause: new records wait, then show on resume.
    await page.locator('#tl-pause').click();
    await curl(`ftp://127.0.0.1:${suite.ftp.port}/docs/readme.md`);
    await expect.poll(() => page.locator('#tl-count').textContent()).toMatch(/new while paused/);
    expect(await texts(body.locator('tr'))).not.toEqual(expect.arrayContaining([expect.stringMatching(/readme/)]));
    await page.locator('#tl-pause').click();
    await page.locator('#tl-filters input[name=text]').fill('');
    await expect
      .poll(() => texts(body.locator('tr')))
      .toEqual(expect.arrayContaining([expect.stringMatching(/RETR docs\/readme\.md|RETR readme\.md/)]));

    // A record's detail has every field; its session view is the dialogue of that connection.
    await body.locator('tr', { hasText: 'RETR hello.txt' }).first().click();
    const detail = page.locator('#tl-detail');
    await expect
      .poll(() => detail.locator('dt').allInnerTexts())
      .toEqual(
        expect.arrayContaining([
          'id',
          'time',
          'protocol',
          'side',
          'transport',
          'session',
          'peer',
          'request',
          'response',
          'ok',
          'bytesIn',
          'bytesOut',
          'durationMs',
        ]),
      );
    await detail.locator('button[data-action=session]').click();
    const dialogue = await detail.locator('.dialogue').innerText();
    expect(dialogue).toMatch(/C:\s*USER anonymous[\s\S]*S:\s*331/);
    expect(dialogue).toMatch(/C:\s*RETR hello\.txt[\s\S]*S:\s*226/);
    expect(dialogue).toMatch(/\+\d+ ms/);
    expect(dialogue).not.toMatch(/missing\.txt/);
    for (const p of ['http', 'smtp', 'dns']) await page.locator(`#tl-filters input[value=${p}]`).check();
    await page.screenshot({ path: path.join(browser.artifacts, 'timeline.png') });

    // A record a fault rule changed carries its note: marked in the row, shown in the detail.
    suite.log.add({
      protocol: 'smtp',
      side: 'server',
      transport: 'tcp',
      session: 'smtp-99',
      peer: '127.0.0.1:9',
      request: 'RCPT TO:<x@blocked.test>',
      response: '451 4.7.1 Try again later',
      ok: false,
      bytesIn: 0,
      bytesOut: 0,
      durationMs: 0,
      fault: 'f1: replied 451 4.7.1 Try again later',
    });
    const faulted = body.locator('tr.faulted', { hasText: 'x@blocked.test' });
    await expect.poll(() => faulted.count()).toBe(1);
    await faulted.click();
    await expect.poll(() => detail.locator('dd.fault').textContent()).toBe('f1: replied 451 4.7.1 Try again later');
  });
});

describe('mail in the console', () => {
  let htmlId = '';

  it('lists mail live with display name, cc, attachment mark; a hostile subject stays text', async () => {
    const { page } = browser;
    await page.goto(`${url}/#mail`);
    await expect.poll(() => page.locator('#mail-body tr').count()).toBeGreaterThan(0);
    await mailer().sendMail({
      from: '"Rita Reporter" <rita@example.test>',
      to: 'boss@example.test',
      cc: 'team@example.test',
      bcc: 'archive@example.test',
      subject: 'Quarterly report',
      text: 'The quarterly figures are attached. Codeword zebrafish.',
      html: [
        '<h1 id="title">Quarterly report</h1>',
        '<p>Logo: <img id="logo" alt="logo" src="cid:logo@minisuite"></p>',
        `<p><img id="remote" alt="remote" src="${url}/remote-image.png"></p>`,
        "<script>document.body.dataset.ran = 'script'; fetch('/script-ran');</script>",
        `<img alt="broken" src="x" onerror="document.body.dataset.ran = 'onerror'; fetch('/onerror-ran')">`,
      ].join('\n'),
      attachments: [
        { filename: 'logo.png', content: PNG, cid: 'logo@minisuite', contentType: 'image/png' },
        { filename: 'report.pdf', content: PDF, contentType: 'application/pdf' },
        { filename: 'data.bin', content: BIN, contentType: 'application/octet-stream' },
      ],
    });
    await mailer().sendMail({
      from: 'mallory@example.test',
      to: 'b@example.test',
      subject: HOSTILE_SUBJECT,
      text: 'hi',
    });
    // New mail appears without a reload.
    const rows = page.locator('#mail-body tr');
    const report = rows.filter({ hasText: 'Quarterly report' });
    await expect.poll(() => report.count(), { timeout: 15_000 }).toBe(1);
    const reportText = await report.innerText();
    expect(reportText).toContain('Rita Reporter');
    expect(reportText).toContain('rita@example.test');
    expect(reportText).toContain('boss@example.test');
    expect(reportText).toContain('cc team@example.test');
    expect(await report.locator('.clip').textContent()).toBe('2');
    const hostile = rows.filter({ hasText: HOSTILE_SUBJECT });
    await expect.poll(() => hostile.count()).toBe(1);
    expect(await hostile.locator('td.subject').textContent()).toBe(HOSTILE_SUBJECT);
    expect(await page.locator('#mail-body img').count()).toBe(0);
    htmlId = (await report.getAttribute('data-id')) ?? '';
    expect(htmlId).not.toBe('');
  });

  it('previews the HTML sandboxed with the cid image, never running its script or loading remote images', async () => {
    const { page } = browser;
    await page.locator('#mail-body tr', { hasText: 'Quarterly report' }).click();
    const view = page.locator('#mail-view');
    await expect.poll(() => view.locator('h3').textContent()).toBe('Quarterly report');
    expect(await view.locator('dl').innerText()).toMatch(/Bcc\s+archive@example\.test/);
    const iframe = view.locator('iframe.preview');
    expect(await iframe.getAttribute('sandbox')).toBe('');
    const frame = page.frameLocator('#mail-view iframe.preview');
    await expect.poll(() => frame.locator('#title').textContent()).toBe('Quarterly report');
    // The cid: image is the message's own part, loaded (data: URL); the remote one is blocked.
    await expect.poll(() => frame.locator('#logo').evaluate((img) => (img as unknown as Img).naturalWidth)).toBe(2);
    expect(
      await frame.locator('#logo').evaluate((img) => (img as unknown as Img).src.startsWith('data:image/png;base64,')),
    ).toBe(true);
    expect(
      await frame.locator('#remote').evaluate((img) => {
        const i = img as unknown as Img;
        return i.complete && i.naturalWidth;
      }),
    ).toBe(0);
    expect(
      await frame
        .locator('body')
        .evaluate((b) => (b as unknown as { dataset: Record<string, string> }).dataset['ran'] ?? 'no'),
    ).toBe('no');
    const preview = await fetch(`${url}/api/mail/${htmlId}/preview`);
    expect(preview.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox/);
    // A request the page makes after the frame loaded arrives after anything the frame asked for.
    await page.evaluate("fetch('/echo?after-preview')");
    await suite.waitFor('http', (r) => r.request.includes('/echo?after-preview'));
    const asked = suite.exchanges.map((r) => r.request);
    expect(asked.filter((r) => /script-ran|onerror-ran|remote-image/.test(r))).toEqual([]);
    expect(browser.dialogs.filter((d) => d.startsWith('alert'))).toEqual([]);
  });

  it('shows text, headers, raw and the envelope, and downloads each attachment byte-exact', async () => {
    const { page } = browser;
    const view = page.locator('#mail-view');
    const tab = (name: string) => view.locator(`.tabs button[data-tab=${name}]`).click();
    await tab('text');
    await expect.poll(() => view.locator('.tab-content pre').textContent()).toContain('Codeword zebrafish');
    await tab('headers');
    await expect.poll(() => view.locator('.tab-content dl').innerText()).toMatch(/subject\s+Quarterly report/);
    await tab('raw');
    await expect.poll(() => view.locator('.tab-content pre').textContent()).toMatch(/Content-Type: multipart\/mixed/);
    await tab('envelope');
    await expect
      .poll(() => view.locator('.tab-content dl').innerText())
      .toMatch(/MAIL FROM\s+rita@example\.test[\s\S]*archive@example\.test/);
    await tab('attachments');
    const links = view.locator('.attachments a');
    await expect.poll(() => links.allInnerTexts()).toEqual(['logo.png', 'report.pdf', 'data.bin']);
    for (const [name, bytes] of [
      ['report.pdf', PDF],
      ['data.bin', BIN],
      ['logo.png', PNG],
    ] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), links.filter({ hasText: name }).click()]);
      expect(download.suggestedFilename()).toBe(name);
      const file = await download.path();
      expect((await fs.readFile(file)).equals(bytes)).toBe(true);
    }
    await tab('html');
    await expect
      .poll(() => page.frameLocator('#mail-view iframe.preview').locator('#title').textContent())
      .toBe('Quarterly report');
    await page.screenshot({ path: path.join(browser.artifacts, 'mail.png') });
  });

  it('searches by a body word, and deletes one message', async () => {
    const { page } = browser;
    const rows = page.locator('#mail-body tr');
    await page.locator('#mail-search input[name=q]').fill('zebrafish');
    await expect.poll(() => rows.allInnerTexts()).toEqual([expect.stringContaining('Quarterly report')]);
    await page.locator('#mail-search input[name=q]').fill('from:mallory');
    await expect.poll(() => rows.allInnerTexts()).toEqual([expect.stringContaining(HOSTILE_SUBJECT)]);
    await rows.first().click();
    await expect.poll(() => page.locator('#mail-view h3').textContent()).toBe(HOSTILE_SUBJECT);
    await page.locator('#mail-view button.danger').click();
    await expect.poll(() => rows.allInnerTexts()).toEqual([expect.stringContaining('no message matches')]);
    expect((await suite.smtp.messages({ query: 'from:mallory' })).length).toBe(0);
    await page.locator('#mail-search input[name=q]').fill('');
    await expect.poll(() => rows.filter({ hasText: 'Quarterly report' }).count()).toBe(1);
  });
});

describe('DNS, files and status panels', () => {
  it('shows the zones with their records and the recent queries with answers; adds a record', async () => {
    const { page } = browser;
    await dig('api.suite.test', 'A');
    await page.goto(`${url}/#dns`);
    const zone = page.locator('#dns-zones .zone[data-origin="suite.test."]');
    await expect
      .poll(() => zone.locator('tr').allInnerTexts())
      .toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^www\.suite\.test\.\s+60\s+A\s+127\.0\.0\.1/),
          expect.stringMatching(/^api\.suite\.test\.\s+60\s+A\s+10\.1\.2\.3/),
          expect.stringMatching(
            new RegExp(`^_smtp\\._tcp\\.suite\\.test\\.\\s+60\\s+SRV\\s+0 0 ${suite.smtp.port} mail\\.suite\\.test\\.`),
          ),
        ]),
      );
    const queries = page.locator('#dns-queries tbody tr');
    await expect
      .poll(() => queries.allInnerTexts())
      .toEqual(
        expect.arrayContaining([
          expect.stringMatching(/A api\.suite\.test[\s\S]*NOERROR[\s\S]*api\.suite\.test\. 60 A 10\.1\.2\.3/),
        ]),
      );
    await page.locator('#dns-add input[name=line]').fill('new.suite.test. 30 IN TXT "<b>not bold</b>"');
    await page.locator('#dns-add button[type=submit]').click();
    await expect.poll(() => page.locator('#dns-message').textContent()).toBe('added');
    const { stdout } = await dig('new.suite.test', 'TXT', '+short');
    expect(stdout.toString().trim()).toBe('"<b>not bold</b>"');
    await expect
      .poll(() => zone.locator('tr').allInnerTexts())
      .toEqual(expect.arrayContaining([expect.stringMatching(/new\.suite\.test\.\s+30\s+TXT\s+"<b>not bold<\/b>"/)]));
    expect(await page.locator('#dns-zones b').count()).toBe(0);
    await page.locator('#dns-add input[name=line]').fill('outside.example. 60 IN A 10.0.0.1');
    await page.locator('#dns-add button[type=submit]').click();
    await expect.poll(() => page.locator('#dns-message').textContent()).toMatch(/in none of the served zones/);
    // That refusal is the one error the page may log: Chromium reports every 4xx reply it fetched.
    const refused = browser.errors.findIndex((e) => /status of 400 .*\/api\/dns\/records/.test(e));
    expect(refused).toBeGreaterThanOrEqual(0);
    browser.errors.splice(refused, 1);
  });

  it('browses the FTP root with sizes and dates, and downloads a file byte-exact', async () => {
    const { page } = browser;
    await page.goto(`${url}/#files`);
    const rows = page.locator('#files-list tbody tr');
    await expect
      .poll(() => rows.allInnerTexts())
      .toEqual(
        expect.arrayContaining([expect.stringMatching(/^docs\//), expect.stringMatching(/^hello\.txt\s+12 B\s+\S/)]),
      );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      rows.locator('a', { hasText: 'hello.txt' }).click(),
    ]);
    expect(await fs.readFile(await download.path(), 'utf8')).toBe('hello world\n');
    await rows.locator('a', { hasText: 'docs/' }).click();
    await expect
      .poll(() => rows.allInnerTexts())
      .toEqual(expect.arrayContaining([expect.stringMatching(/^readme\.md\s+10 B/)]));
    expect(await page.locator('#files-crumbs').innerText()).toMatch(/files\s*\/\s*docs/);
  });

  it('shows each service with its address, state, connections, exchanges and errors', async () => {
    const { page } = browser;
    await page.goto(`${url}/#status`);
    const rows = page.locator('#status-table tbody tr');
    await expect.poll(() => rows.count()).toBe(4);
    const ftp = await rows.filter({ has: page.locator('span.proto.ftp') }).innerText();
    expect(ftp).toContain(`ftp://127.0.0.1:${suite.ftp.port}`);
    expect(ftp).toMatch(/\bup\b/);
    const [, exchanges, errors] = /(\d+)\s+(\d+)\s*$/.exec(ftp.replace(/\s+$/, '')) ?? [];
    expect(Number(exchanges)).toBeGreaterThan(10);
    expect(Number(errors)).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#status-tls').innerText()).toMatch(/TLS is off/);
  });

  it('is usable on a narrow window, and the page logged no errors', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 390, height: 800 });
    for (const panel of ['timeline', 'mail', 'dns', 'files', 'status', 'faults']) {
      await page.goto(`${url}/#${panel}`);
      await expect.poll(() => page.locator(`#panel-${panel}`).isVisible()).toBe(true);
      // Nothing wider than the window: no sideways scrolling of the page.
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    }
    await page.goto(`${url}/#timeline`);
    await page.screenshot({ path: path.join(browser.artifacts, 'narrow.png') });
    const favicon = await fetch(`${url}/favicon.ico`);
    expect(favicon.status).toBe(200);
    expect(browser.errors).toEqual([]);
    console.log(`console screenshots in ${browser.artifacts}`);
  });
});
