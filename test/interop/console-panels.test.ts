/**
 * The console's faults panel against the real `/api/faults`, and the recorded HTTP request in a
 * record's detail, in a real headless Chromium (Debian's, through playwright-core), with real
 * traffic (fetch, dig) that the rules change.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Suite, startSuite } from '../../suite/start-suite.js';
import { type Browser, launch } from './console/browser.js';

const run = promisify(execFile);
/** The faults panel refreshes every 2 s: waits for it are that plus a busy machine's slack. */
const PANEL_WAIT = { timeout: 30_000, interval: 200 };
const HOSTILE = '<img src=x onerror=alert(1)>';

let suite: Suite;
let browser: Browser;
let url: string;

function dig(...args: string[]) {
  return run('dig', ['@127.0.0.1', '-p', String(suite.dns.port), '+time=5', '+tries=1', ...args], { timeout: 20_000 });
}

/** A definition list as term → value. */
async function pairs(dl: Locator): Promise<Record<string, string>> {
  const terms = await dl.locator('dt').allTextContents();
  const values = await dl.locator('dd').allTextContents();
  return Object.fromEntries(terms.map((t, i) => [t, values[i] ?? '']));
}

/** The rows of the faults table, one object per rule row (id, protocol, match, action, when, hits). */
async function ruleRows(rows: Locator): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  for (const row of await rows.all()) {
    const cells = await row.locator('td').allTextContents();
    if (cells.length < 6) continue;
    const [id = '', protocol = '', match = '', action = '', when = '', hits = ''] = cells;
    out.push({ id, protocol, match, action, when, hits });
  }
  return out;
}

beforeAll(async () => {
  suite = await startSuite({ protocols: ['http', 'dns'] });
  url = suite.http.url;
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await suite?.close();
});

describe('the faults panel in Chromium', () => {
  it('adds rules, shows their hits as real traffic trips them, refuses a bad one, removes them', async () => {
    const { page } = browser;
    await page.goto(`${url}/#faults`);
    // The tab shows once /api/console says the fault API is there.
    await expect.poll(() => page.locator('#tabs button[data-tab=faults]').isVisible()).toBe(true);
    await expect.poll(() => page.locator('#panel-faults').isVisible()).toBe(true);
    const rows = page.locator('#faults-list tbody tr');
    await expect.poll(() => rows.allInnerTexts()).toEqual(['no rules']);

    const input = page.locator('#faults-add input[name=rule]');
    const message = page.locator('#faults-message');
    const add = async (rule: unknown) => {
      await input.fill(JSON.stringify(rule));
      await page.locator('#faults-add button[type=submit]').click();
    };
    await add({
      protocol: 'http',
      match: { command: 'GET', target: '/flaky/*' },
      action: { status: 503, body: HOSTILE },
    });
    await expect.poll(() => message.textContent()).toMatch(/^added \S+$/);
    const httpId = (await message.textContent())?.replace(/^added /, '') ?? '';
    expect(await input.inputValue()).toBe('');
    await add({ protocol: 'dns', match: { target: 'broken.suite.test' }, action: { rcode: 'SERVFAIL' } });
    await expect
      .poll(async () => {
        const text = (await message.textContent()) ?? '';
        return /^added \S+$/.test(text) && text !== `added ${httpId}`;
      })
      .toBe(true);
    const dnsId = (await message.textContent())?.replace(/^added /, '') ?? '';
    expect(dnsId).not.toBe(httpId);

    // Both listed as the API has them, no hits yet.
    const api = (await (await fetch(`${url}/api/faults`)).json()) as { id: string; hits: number }[];
    expect(api.map((r) => r.id).sort()).toEqual([httpId, dnsId].sort());
    await expect
      .poll(() => ruleRows(rows), PANEL_WAIT)
      .toEqual(
        expect.arrayContaining([
          {
            id: httpId,
            protocol: 'http',
            match: '{"command":"GET","target":"/flaky/*"}',
            action: expect.stringContaining('"status":503'),
            when: '',
            hits: '0',
          },
          {
            id: dnsId,
            protocol: 'dns',
            match: '{"target":"broken.suite.test"}',
            action: '{"rcode":"SERVFAIL"}',
            when: '',
            hits: '0',
          },
        ]),
      );
    // The action's body is shown as text, never as markup.
    expect(await page.locator('#faults-list img').count()).toBe(0);

    // Real traffic the rules change: two GETs answered 503 with the rule's body, one SERVFAIL.
    for (const n of [1, 2]) {
      const res = await fetch(`${url}/flaky/${n}`);
      expect(res.status).toBe(503);
      expect(await res.text()).toBe(HOSTILE);
    }
    expect((await fetch(`${url}/flaky/3`, { method: 'POST' })).status).not.toBe(503);
    const { stdout } = await dig('broken.suite.test', 'A');
    expect(stdout.toString()).toMatch(/status: SERVFAIL/);
    const hitsOf = async (id: string) => (await ruleRows(rows)).find((r) => r.id === id)?.hits;
    await expect.poll(() => hitsOf(httpId), PANEL_WAIT).toBe('2');
    await expect.poll(() => hitsOf(dnsId), PANEL_WAIT).toBe('1');

    // The one-line --fault form works too; "times" shows, and the rule stops after its one hit.
    await input.fill('http GET /once/* status=429 times=1');
    await page.locator('#faults-add button[type=submit]').click();
    await expect
      .poll(async () => {
        const text = (await message.textContent()) ?? '';
        return /^added \S+$/.test(text) && text !== `added ${dnsId}`;
      })
      .toBe(true);
    const onceId = (await message.textContent())?.replace(/^added /, '') ?? '';
    await expect
      .poll(async () => (await ruleRows(rows)).find((r) => r.id === onceId), PANEL_WAIT)
      .toEqual({
        id: onceId,
        protocol: 'http',
        match: '{"command":"GET","target":"/once/*"}',
        action: '{"status":429}',
        when: 'times 1',
        hits: '0',
      });
    expect((await fetch(`${url}/once/a`)).status).toBe(429);
    expect((await fetch(`${url}/once/b`)).status).not.toBe(429);
    await expect.poll(() => hitsOf(onceId), PANEL_WAIT).toBe('1');

    // A bad rule is refused with the API's reason naming the field; nothing is added.
    await add({ protocol: 'gopher', action: { drop: true } });
    await expect.poll(() => message.textContent()).toMatch(/^protocol: /);
    expect(await message.getAttribute('class')).toMatch(/\berror\b/);
    await input.fill('{not json');
    await page.locator('#faults-add button[type=submit]').click();
    await expect.poll(() => message.textContent()).toBe('the rule is not valid JSON');
    expect(((await (await fetch(`${url}/api/faults`)).json()) as unknown[]).length).toBe(3);
    // The refused POST is the one error the page may log: Chromium reports every 4xx it fetched.
    const refused = browser.errors.findIndex((e) => /status of 400 .*\/api\/faults/.test(e));
    expect(refused).toBeGreaterThanOrEqual(0);
    browser.errors.splice(refused, 1);
    await page.screenshot({ path: path.join(browser.artifacts, 'faults.png') });

    // Removed through the panel, one by one: the API is empty and the traffic is untouched again.
    const removeButton = (id: string) =>
      rows.filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${id}$`) }) }).locator('button');
    await removeButton(httpId).click();
    await expect.poll(() => message.textContent()).toBe(`removed ${httpId}`);
    await expect.poll(async () => (await ruleRows(rows)).map((r) => r.id)).toEqual([dnsId, onceId]);
    for (const id of [dnsId, onceId]) {
      await removeButton(id).click();
      await expect.poll(() => message.textContent()).toBe(`removed ${id}`);
    }
    await expect.poll(() => rows.allInnerTexts()).toEqual(['no rules']);
    expect(await (await fetch(`${url}/api/faults`)).json()).toEqual([]);
    expect((await fetch(`${url}/flaky/4`)).status).not.toBe(503);
    expect(browser.errors).toEqual([]);
  });
});

describe("a record's detail in Chromium", () => {
  it('shows the recorded HTTP request: method, URL, status, headers and a body preview, as text', async () => {
    const { page } = browser;
    await page.goto(`${url}/#timeline`);
    await expect.poll(() => page.locator('#live').textContent()).toBe('live');
    const body = `${HOSTILE}<script>document.body.dataset.ran = 'yes'</script><b>bold</b> ${'x'.repeat(6000)}`;
    const target = '/anything/detail-probe?case=1';
    const res = await fetch(`${url}${target}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', 'X-Probe': HOSTILE },
      body,
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();

    const row = page.locator('#tl-body tr', { hasText: `POST ${target}` });
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    await row.click();
    const section = page.locator('#tl-detail section.request');
    await expect.poll(() => section.count(), { timeout: 15_000 }).toBe(1);
    const head = await pairs(section.locator('dl').nth(0));
    expect(head).toMatchObject({ method: 'POST', URL: target, status: '200' });
    expect(head['body']).toMatch(/^5\.\d KiB, the first part shown$/);
    const headers = await pairs(section.locator('dl').nth(1));
    expect(headers).toMatchObject({ 'x-probe': HOSTILE, 'content-type': 'text/plain' });
    const preview = (await section.locator('pre.body').textContent()) ?? '';
    expect(preview.startsWith(`${HOSTILE}<script>`)).toBe(true);
    expect(preview.endsWith('…')).toBe(true);
    expect(preview.length).toBe(4097);
    // Everything above is text: no element came from the request.
    expect(await page.locator('#tl-detail img, #tl-detail script, #tl-detail b').count()).toBe(0);
    expect(await page.evaluate("document.body.dataset.ran ?? 'no'")).toBe('no');
    expect(browser.dialogs).toEqual([]);
    await page.screenshot({ path: path.join(browser.artifacts, 'request-detail.png') });

    // A GET without a body says so; a record of another protocol has no request section.
    await fetch(`${url}/get?plain=1`).then((r) => r.arrayBuffer());
    const get = page.locator('#tl-body tr', { hasText: 'GET /get?plain=1' });
    await expect.poll(() => get.count(), { timeout: 15_000 }).toBe(1);
    await get.click();
    await expect
      .poll(async () => (await pairs(section.locator('dl').first()))['URL'], { timeout: 15_000 })
      .toBe('/get?plain=1');
    expect(await pairs(section.locator('dl').first())).toMatchObject({ method: 'GET', body: 'none' });
    expect(await section.locator('h4').allTextContents()).toEqual([
      `Request #${await section.getAttribute('data-request-id')}`,
      'Headers',
    ]);
    // Two requests to one target a few ms apart: each record shows its own (by the status it got).
    suite.http.stub({ method: 'POST', path: '/seq', respond: [{ status: 500 }, { status: 201 }] });
    for (const text of ['first body', 'second body'])
      await fetch(`${url}/seq`, { method: 'POST', body: text }).then((r) => r.arrayBuffer());
    for (const [status, text] of [
      ['500', 'first body'],
      ['201', 'second body'],
    ] as const) {
      const seq = page
        .locator('#tl-body tr', { hasText: 'POST /seq' })
        .filter({ has: page.locator('td.res', { hasText: new RegExp(`^${status} `) }) });
      await expect.poll(() => seq.count()).toBe(1);
      await seq.click();
      await expect.poll(() => section.locator('pre.body').textContent()).toBe(text);
      expect(await pairs(section.locator('dl').first())).toMatchObject({ status, stub: expect.any(String) });
    }

    await dig('www.suite.test', 'A');
    const dnsRow = page.locator('#tl-body tr.p-dns', { hasText: 'www.suite.test' }).first();
    await expect.poll(() => dnsRow.count(), { timeout: 15_000 }).toBe(1);
    await dnsRow.click();
    await expect.poll(() => page.locator('#tl-detail h3').first().textContent()).toMatch(/dns server/);
    expect(await section.count()).toBe(0);
    expect(browser.errors).toEqual([]);
  });
});
