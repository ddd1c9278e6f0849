/**
 * The console's `/api/stubs` API and its validation (moved from test/http/stubs.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { postStub as postStubTo, startHttpEach } from '../http/helpers.js';

const http = startHttpEach({ recordedBodyBytes: 32 });

const postStub = (stub: unknown) => postStubTo(http.url, stub);

describe('HTTP stubs', () => {
  it('/api/stubs adds (201), lists, removes and clears stubs; bad ones are 400 naming the field', async () => {
    const created = await postStub({ path: '/ping', respond: { body: 'pong' } });
    expect(created.status).toBe(201);
    const stub = (await created.json()) as { id: string; calls: number; path: string };
    expect(stub).toMatchObject({ path: '/ping', calls: 0 });
    expect(await (await fetch(`${http.url}/ping`)).text()).toBe('pong');
    const listed = (await (await fetch(`${http.url}/api/stubs`)).json()) as { id: string; calls: number }[];
    expect(listed).toEqual([expect.objectContaining({ id: stub.id, calls: 1 })]);
    expect((await fetch(`${http.url}/api/stubs/${stub.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${http.url}/ping`)).status).toBe(404);
    await postStub({ path: '/a', respond: {} });
    expect(await (await fetch(`${http.url}/api/stubs`, { method: 'DELETE' })).json()).toEqual({ deleted: 1 });

    for (const [bad, error] of [
      [{ respond: {} }, /^path: /],
      [{ path: 'nope', respond: {} }, /^path: must start with \//],
      [{ path: '/api/x', respond: {} }, /^path: \/api\/x is reserved for the console/],
      [{ path: '/x', respond: { status: 42 } }, /^respond\.status: /],
      [{ path: '/x', respond: [{}, { delayMs: 999999 }] }, /^respond\.1\.delayMs: /],
      [{ path: '/x', respond: { body: 'a', json: {} } }, /^respond: give at most one/],
      [{ path: '/x', respond: {}, colour: 'red' }, /unknown field 'colour'/],
      [{ path: '/x?q=1', respond: {} }, /^path: may not hold \?/],
    ] as const) {
      const res = await postStub(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(error);
    }
    // Declared JSON (a text/plain body is refused by the console's CSRF guard before it is parsed).
    const notJson = await fetch(`${http.url}/api/stubs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{',
    });
    expect(await notJson.json()).toEqual({ error: 'body: not valid JSON' });
  });
});
