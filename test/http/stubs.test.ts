/**
 * HTTP stubs and request verification, driven by real clients (fetch/undici and curl): matching
 * by method, path, query, headers and body; sequences and delays; the closest-stub 404;
 * precedence over built-in routes but never over the console; `/api/requests` and `requests()`
 * reading back headers and bodies, bodies bounded. The console's `/api/stubs` API is tested in
 * test/console/api-stubs.test.ts.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../suite/config.js';
import { startSuite } from '../../suite/start-suite.js';
import { postStub as postStubTo, startHttpEach } from './helpers.js';

const exec = promisify(execFile);

const http = startHttpEach({ recordedBodyBytes: 32 });

const postStub = (stub: unknown) => postStubTo(http.url, stub);

describe('HTTP stubs', () => {
  it('answers a matching request with the stub: :param paths, query, headers, JSON body subset', async () => {
    const stub = http.service.stub({
      method: 'POST',
      path: '/v1/users/:id/orders',
      query: { dry: 'no' },
      headers: { 'X-Api-Key': 'k1' },
      body: { json: { item: { sku: 'A-1' } } },
      respond: { status: 201, headers: { 'X-Stub': 'yes' }, json: { ok: true } },
    });
    const res = await fetch(`${http.url}/v1/users/42/orders?dry=no&x=1`, {
      method: 'POST',
      headers: { 'x-api-key': 'k1', 'Content-Type': 'application/json' },
      body: JSON.stringify({ item: { sku: 'A-1', qty: 2 }, note: 'extra fields are fine' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-stub')).toBe('yes');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ ok: true });
    expect(stub.calls).toHaveLength(1);
    expect(stub.calls[0]?.headers['x-api-key']).toBe('k1');
    expect(stub.view?.calls).toBe(1);
  });

  it('answers a sequence in order, the last one repeating (first 500, then 200), seen by curl', async () => {
    http.service.stub({
      path: '/flaky',
      respond: [{ status: 500, body: 'boom' }, { status: 503 }, { status: 200, body: 'fine' }],
    });
    const statuses: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { stdout } = await exec('curl', ['-s', '-o', '-', '-w', ' %{http_code}', `${http.url}/flaky`]);
      statuses.push(stdout);
    }
    expect(statuses).toEqual(['boom 500', ' 503', 'fine 200', 'fine 200', 'fine 200']);
  });

  it('waits delayMs before answering, and answers bytes and files from the FTP root', async () => {
    http.service.stub({ path: '/slow', respond: { delayMs: 50, body: 'late' } });
    const res = await fetch(`${http.url}/slow`);
    expect(await res.text()).toBe('late');
    await fs.writeFile(path.join(http.files, 'report.csv'), 'a,b\n1,2\n');
    http.service.stub({ path: '/report', respond: { file: 'report.csv', headers: { 'Content-Type': 'text/csv' } } });
    const file = await fetch(`${http.url}/report`);
    expect(file.headers.get('content-type')).toBe('text/csv');
    expect(await file.text()).toBe('a,b\n1,2\n');
    http.service.stub({ path: '/blob', respond: { base64: Buffer.from([0, 1, 255]).toString('base64') } });
    expect([...new Uint8Array(await (await fetch(`${http.url}/blob`)).arrayBuffer())]).toEqual([0, 1, 255]);
  });

  it('a request under a stubbed path that matches no stub gets 404 naming the closest stub and why', async () => {
    const users = http.service.stub({
      method: 'GET',
      path: '/v1/users/:id',
      headers: { authorization: 'Bearer t' },
      respond: { body: 'u' },
    });
    http.service.stub({ method: 'DELETE', path: '/v1/orders/*', respond: { status: 204 } });
    const noAuth = await fetch(`${http.url}/v1/users/7`);
    expect(noAuth.status).toBe(404);
    expect(await noAuth.json()).toMatchObject({ closest: users.id, mismatch: 'headers.authorization' });
    const wrongMethod = await fetch(`${http.url}/v1/orders/9/lines`, { method: 'PUT' });
    expect(await wrongMethod.json()).toMatchObject({ mismatch: 'method' });
    const deeper = await fetch(`${http.url}/v1/users/7/extra`, { headers: { authorization: 'Bearer t' } });
    expect(await deeper.json()).toMatchObject({ closest: users.id, mismatch: 'path' });
    // Outside every stub's prefix the built-in routes answer as before.
    expect((await fetch(`${http.url}/status/202`)).status).toBe(202);
    expect((await fetch(`${http.url}/v2/x`)).status).toBe(404);
    expect(await (await fetch(`${http.url}/v2/x`)).json()).not.toHaveProperty('closest');
  });

  it('matches bodies by substring and exactly, and refuses a stub on a console path', async () => {
    http.service.stub({ method: 'POST', path: '/hook', body: 'needle', respond: { body: 'sub' } });
    http.service.stub({ method: 'POST', path: '/hook', body: { equals: 'exact' }, respond: { body: 'eq' } });
    const send = async (body: string) => (await fetch(`${http.url}/hook`, { method: 'POST', body })).text();
    expect(await send('hay needle hay')).toBe('sub');
    expect(await send('exact')).toBe('eq');
    expect(JSON.parse(await send('nothing'))).toMatchObject({ mismatch: 'body' });
    for (const p of ['/', '/api/mail', '/api/*', '/healthz', '/metrics', '/*'])
      expect(() => http.service.stub({ path: p, respond: {} }), p).toThrow(/is reserved for the console/);
  });

  it('takes precedence over a built-in route only on the path it names', async () => {
    http.service.stub({ path: '/get', respond: { json: { stubbed: true } } });
    expect(await (await fetch(`${http.url}/get`)).json()).toEqual({ stubbed: true });
    expect(((await (await fetch(`${http.url}/anything`)).json()) as { method: string }).method).toBe('GET');
    expect((await fetch(`${http.url}/api/stubs`)).status).toBe(200);
  });

  it("refuses a stub on the console's own paths with a 400 naming the path; a /:name stub passes them on", async () => {
    for (const p of [
      '/console/app.js',
      '/console/*',
      '/console/:file',
      '/console',
      '/favicon.ico',
      '/favicon.svg',
      '/favicon.:ext',
      '/api/mail/:id',
      '/healthz',
      '/metrics',
      '/dns-query',
    ]) {
      const res = await postStub({ path: p, respond: { body: 'shadowed' } });
      expect(res.status, p).toBe(400);
      const { error } = (await res.json()) as { error: string };
      expect(error, p).toBe(
        `path: ${p} is reserved for the console (/, /console/*, /favicon.*, /api/*, /healthz, /metrics, /dns-query); a stub cannot shadow it`,
      );
    }
    expect(await (await fetch(`${http.url}/api/stubs`)).json()).toEqual([]);
    // Near misses are the user's own paths.
    for (const p of ['/consoles', '/favicon', '/api-v2/x', '/healthz/deep', '/dns-query2'])
      expect((await postStub({ path: p, respond: {} })).status, p).toBe(201);
    // A pattern that also matches console paths is allowed, and answers only the others.
    expect((await postStub({ path: '/:name', respond: { body: 'stub' } })).status).toBe(201);
    expect((await postStub({ path: '/console/:file/x', respond: { body: 'stub' } })).status).toBe(400);
    expect(await (await fetch(`${http.url}/whatever`)).text()).toBe('stub');
    const icon = await fetch(`${http.url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    await icon.arrayBuffer();
    const healthz = await fetch(`${http.url}/healthz`);
    expect(await healthz.text()).not.toBe('stub');
  });

  it('handle.remove() takes the stub away', async () => {
    const stub = http.service.stub({ path: '/gone', respond: { body: 'here' } });
    expect(await (await fetch(`${http.url}/gone`)).text()).toBe('here');
    expect(stub.remove()).toBe(true);
    expect((await fetch(`${http.url}/gone`)).status).toBe(404);
    expect(stub.remove()).toBe(false);
  });
});

describe('recorded requests', () => {
  it('keeps method, target, headers and body of every request, newest first over the API', async () => {
    await fetch(`${http.url}/status/200?a=1`, { headers: { 'X-Trace': 'abc' } });
    await fetch(`${http.url}/anything/p`, { method: 'PUT', body: 'put body', headers: { 'X-Trace': 'def' } });
    const api = (await (await fetch(`${http.url}/api/requests?limit=3`)).json()) as {
      method: string;
      target: string;
      headers: Record<string, string>;
      body: string;
      status: number;
    }[];
    // The /api/requests call itself is the newest.
    expect(api[0]).toMatchObject({ method: 'GET', target: '/api/requests?limit=3' });
    expect(api[1]).toMatchObject({ method: 'PUT', target: '/anything/p', body: 'put body', status: 200 });
    expect(api[1]?.headers['x-trace']).toBe('def');
    expect(api[2]).toMatchObject({ method: 'GET', target: '/status/200?a=1', body: '' });
    const puts = http.service.requests({ method: 'put' });
    expect(puts.map((r) => r.request)).toEqual(['PUT /anything/p']);
    expect(http.service.requests({ path: '/anything/*' })).toHaveLength(1);
    expect(http.service.requests((r) => r.headers['x-trace'] === 'abc')).toHaveLength(1);
    const filtered = (await (await fetch(`${http.url}/api/requests?method=PUT&path=/anything/:x`)).json()) as unknown[];
    expect(filtered).toHaveLength(1);
  });

  it('bounds each recorded body (the option) but the route still reads the whole body', async () => {
    const body = 'x'.repeat(100);
    const res = await fetch(`${http.url}/post`, { method: 'POST', body });
    expect(((await res.json()) as { data: string }).data).toBe(body);
    const [recorded] = http.service.requests({ method: 'POST' });
    expect(recorded).toMatchObject({ body: 'x'.repeat(32), bodyBytes: 100, bodyTruncated: true });
  });

  it('reads chunked bodies a route never reads, and stub matching sees the body', async () => {
    const stub = http.service.stub({ method: 'POST', path: '/in', body: { json: { n: 2 } }, respond: { status: 202 } });
    const { stdout } = await exec('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-H',
      'Transfer-Encoding: chunked',
      '-H',
      'Content-Type: application/json',
      '--data-binary',
      '{"n":2,"m":3}',
      `${http.url}/in`,
    ]);
    expect(stdout).toBe('202');
    expect(stub.calls[0]).toMatchObject({ body: '{"n":2,"m":3}', stub: stub.id, status: 202 });
    await fetch(`${http.url}/status/204`, { method: 'POST', body: 'ignored by the route' });
    expect(http.service.requests({ path: '/status/:code' })[0]?.body).toBe('ignored by the route');
  });
});

describe('stubs from the config and startSuite', () => {
  it('a bad config stub is a config error naming its field', () => {
    expect(() =>
      resolveConfig({
        http: {
          stubs: [
            { path: '/ok', respond: {} },
            { path: '/api/x', respond: {} },
          ],
        },
      }),
    ).toThrow(/^http\.stubs\[1\]\.path: \/api\/x is reserved for the console/);
  });

  it('startSuite({ httpStubs }) answers with them from the start', async () => {
    const suite = await startSuite({
      protocols: ['http'],
      httpStubs: [{ path: '/v1/health', respond: { json: { up: true } } }],
    });
    try {
      expect(await (await fetch(`${suite.http.url}/v1/health`)).json()).toEqual({ up: true });
      expect(suite.http.stubs.list()[0]).toMatchObject({ path: '/v1/health', calls: 1 });
    } finally {
      await suite.close();
    }
  });
});
