/**
 * `/api/stubs` (SPEC.md): `POST` adds a stub (201 with its id and calls; a bad one 400
 * `{"error": "<field>: <why>"}`), `GET` lists them, `DELETE /api/stubs/:id` removes one,
 * `DELETE /api/stubs` all.
 * @module
 */
import { HttpError, readBody, sendJson } from '../../protocols/http/replies.js';
import type { Router } from '../../protocols/http/router.js';
import { StubError } from '../../protocols/http/stub-schema.js';
import type { StubStore } from '../../protocols/http/stubs.js';

export function registerStubRoutes(router: Router, stubs: StubStore): void {
  router.on('POST', '/api/stubs', async (ctx) => {
    const text = (await readBody(ctx.req, ctx.maxBodyBytes)).toString('utf8');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'body: not valid JSON');
    }
    try {
      const stub = stubs.add(raw);
      sendJson(ctx.res, 201, stub, { Location: `/api/stubs/${stub.id}` });
    } catch (err) {
      if (err instanceof StubError) throw new HttpError(400, err.message);
      throw err;
    }
  });
  router.on('GET', '/api/stubs', (ctx) => sendJson(ctx.res, 200, stubs.list()));
  router.on('DELETE', '/api/stubs', (ctx) => sendJson(ctx.res, 200, { deleted: stubs.clear() }));
  router.on('GET', '/api/stubs/:id', (ctx, params) => {
    const stub = stubs.get(params['id'] ?? '');
    if (!stub) throw new HttpError(404, 'no such stub');
    sendJson(ctx.res, 200, stub);
  });
  router.on('DELETE', '/api/stubs/:id', (ctx, params) => {
    if (!stubs.remove(params['id'] ?? '')) throw new HttpError(404, 'no such stub');
    ctx.res.writeHead(204);
    ctx.res.end();
  });
}
