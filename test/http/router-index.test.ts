/**
 * The router tries only the routes whose first segment can match; these cases pin that the answer
 * (which route wins, parameters, 404, 405 with Allow) is the one trying every route gives.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { MAX_REMEMBERED_PATH } from '../../protocols/http/limits.js';
import { ANY, DISPATCHED_MAX, Router } from '../../protocols/http/router.js';
import type { RequestContext } from '../../protocols/http/server.js';

interface Answer {
  status?: number;
  headers?: Record<string, unknown>;
  route?: string;
}

function call(router: Router, method: string, path: string): Answer {
  const answer: Answer = {};
  const res = {
    writeHead(status: number, headers: Record<string, unknown>) {
      answer.status = status;
      answer.headers = headers;
      return this;
    },
    end() {},
  } as unknown as ServerResponse;
  const ctx = { req: { method } as IncomingMessage, res, path } as unknown as RequestContext;
  void router.handle(ctx);
  return answer;
}

function routes(): { router: Router; hits: string[] } {
  const hits: string[] = [];
  const router = new Router();
  const add = (methods: string | string[], pattern: string) =>
    router.on(methods, pattern, (_ctx, params) => {
      hits.push(`${pattern} ${JSON.stringify(params)}`);
    });
  add('GET', '/');
  add('GET', '/files');
  add('GET', '/files/*');
  add('DELETE', '/:anything/x');
  add(ANY, '/echo');
  add('POST', '/files/upload');
  add('GET', '/*');
  return { router, hits };
}

describe('Router (indexed by first segment)', () => {
  const cases: [string, string, string | number][] = [
    ['GET', '/', '/ {}'],
    ['GET', '/files', '/files {}'],
    ['GET', '/files/a/b', '/files/* {"*":"a/b"}'],
    // An earlier star route wins over a later literal one, as in registration order.
    ['POST', '/files/upload', '/files/upload {}'],
    ['GET', '/files/upload', '/files/* {"*":"upload"}'],
    // A parameter in the first segment is tried for every first segment.
    ['DELETE', '/files/x', '/:anything/x {"anything":"files"}'],
    ['DELETE', '/zzz/x', '/:anything/x {"anything":"zzz"}'],
    ['PATCH', '/echo', '/echo {}'],
    ['GET', '/unknown/deep', '/* {"*":"unknown/deep"}'],
    ['HEAD', '/files/a', '/files/* {"*":"a"}'],
    ['PUT', '/zzz/x', 405],
    // Literal-then-star routes match by prefix; the rest is what splitting the path would give.
    ['GET', '/files/', '/files/* {"*":""}'],
    ['GET', '/files//a/', '/files/* {"*":"/a/"}'],
    ['GET', '/filesx', '/* {"*":"filesx"}'],
    ['GET', '//', '/* {"*":"/"}'],
  ];
  for (const [method, path, expected] of cases)
    it(`${method} ${path}`, () => {
      const { router, hits } = routes();
      const answer = call(router, method, path);
      if (typeof expected === 'number') expect(answer.status).toBe(expected);
      else expect(hits).toEqual([expected]);
    });

  it('lists in Allow every method of every route matching the path, whatever its first segment', () => {
    const { router } = routes();
    const answer = call(router, 'PUT', '/files/x');
    expect(answer.status).toBe(405);
    expect(answer.headers?.['Allow']).toBe('DELETE, GET, HEAD, OPTIONS');
  });

  it('404s a path no route can match, including one without a leading slash', () => {
    const router = new Router().on('GET', '/a', () => {});
    expect(call(router, 'GET', '/b').status).toBe(404);
    expect(call(router, 'GET', 'b').status).toBe(404);
    expect(call(router, 'GET', '/a').status).toBeUndefined();
  });

  it('answers the asterisk-form target only for OPTIONS: 204 with every method served, else 400', () => {
    const router = new Router().on('GET', '/a', () => {}).on(['PUT', 'DELETE'], '/b/:id', () => {});
    const options = call(router, 'OPTIONS', '*');
    expect(options.status).toBe(204);
    expect(options.headers?.['Allow']).toBe('DELETE, GET, HEAD, OPTIONS, PUT');
    expect(call(router, 'GET', '*').status).toBe(400);
  });

  it('sees routes added after the first request', () => {
    const router = new Router().on('GET', '/a', () => {});
    expect(call(router, 'GET', '/b').status).toBe(404);
    let hit = false;
    router.on('GET', '/b', () => {
      hit = true;
    });
    call(router, 'GET', '/b');
    expect(hit).toBe(true);
  });

  it('answers a path it has dispatched before the same way, with the same frozen parameters', () => {
    const seen: unknown[] = [];
    const router = new Router().on('GET', '/a/:x/*', (_ctx, params) => {
      seen.push(params);
    });
    call(router, 'GET', '/a/b%20c/d');
    call(router, 'GET', '/a/b%20c/d');
    call(router, 'GET', '/a/e/f');
    expect(seen).toEqual([
      { x: 'b c', '*': 'd' },
      { x: 'b c', '*': 'd' },
      { x: 'e', '*': 'f' },
    ]);
    expect(seen[0]).toBe(seen[1]);
    expect(Object.isFrozen(seen[0])).toBe(true);
    // HEAD is dispatched on its own (to the GET route), not from GET's memory.
    expect(call(router, 'HEAD', '/a/b%20c/d').status).toBeUndefined();
    expect(seen).toHaveLength(4);
    expect(call(router, 'POST', '/a/b%20c/d').status).toBe(405);
  });

  it('stays right past the number of paths it remembers', () => {
    const hits: string[] = [];
    const router = new Router().on('GET', '/n/:i', (_ctx, params) => {
      hits.push(params['i'] ?? '');
    });
    for (let i = 0; i < DISPATCHED_MAX + 10; i++) call(router, 'GET', `/n/${i}`);
    call(router, 'GET', '/n/0');
    call(router, 'GET', `/n/${DISPATCHED_MAX + 9}`);
    expect(hits).toHaveLength(DISPATCHED_MAX + 12);
    expect(hits.slice(-2)).toEqual(['0', String(DISPATCHED_MAX + 9)]);
  });

  it('does not remember paths longer than MAX_REMEMBERED_PATH, and still routes them', () => {
    const seen: unknown[] = [];
    const router = new Router().on('GET', '/long/*', (_ctx, params) => {
      seen.push(params);
    });
    const long = `/long/${'x'.repeat(MAX_REMEMBERED_PATH)}`;
    call(router, 'GET', long);
    call(router, 'GET', long);
    expect(seen).toEqual([{ '*': 'x'.repeat(MAX_REMEMBERED_PATH) }, { '*': 'x'.repeat(MAX_REMEMBERED_PATH) }]);
    expect(seen[0]).not.toBe(seen[1]);
  });
});
