/**
 * `/api/faults` (SPEC.md, Faults): `POST` adds a rule, as JSON or (with `Content-Type:
 * text/plain`) in the one-line `--fault` syntax: 201 with the rule, its `id` and `hits`; a bad one
 * is 400 `{"error": "<field>: <why>"}`. `GET` lists the rules, `GET /api/faults/:id` shows one,
 * `DELETE /api/faults/:id` removes one, `DELETE /api/faults` all. The HTTP server exempts these
 * paths from faults, so a rule on every path can still be removed.
 * @module
 */
import { HttpError, readBody, sendJson } from '../../protocols/http/replies.js';
import type { Router } from '../../protocols/http/router.js';
import type { FaultEngine } from '../../shared/faults/engine.js';
import { FaultRuleError } from '../../shared/faults/rule.js';
import { parseFaultLine } from '../../shared/faults/syntax.js';

export function registerFaultRoutes(router: Router, faults: FaultEngine): void {
  router.on('POST', '/api/faults', async (ctx) => {
    const text = (await readBody(ctx.req, ctx.maxBodyBytes)).toString('utf8');
    const plain = /^text\/plain\b/i.test(ctx.req.headers['content-type'] ?? '');
    try {
      let raw: unknown;
      if (plain) raw = parseFaultLine(text.trim());
      else
        try {
          raw = JSON.parse(text);
        } catch {
          throw new HttpError(400, 'body: not valid JSON (send a rule object, or one line as text/plain)');
        }
      const rule = faults.add(raw);
      sendJson(ctx.res, 201, rule, { Location: `/api/faults/${rule.id}` });
    } catch (err) {
      if (err instanceof FaultRuleError) throw new HttpError(400, err.message);
      throw err;
    }
  });
  router.on('GET', '/api/faults', (ctx) => sendJson(ctx.res, 200, faults.list()));
  router.on('DELETE', '/api/faults', (ctx) => {
    const deleted = faults.list().length;
    faults.clear();
    sendJson(ctx.res, 200, { deleted });
  });
  router.on('GET', '/api/faults/:id', (ctx, params) => {
    const rule = faults.get(params['id'] ?? '');
    if (!rule) throw new HttpError(404, 'no such fault rule');
    sendJson(ctx.res, 200, rule);
  });
  router.on('DELETE', '/api/faults/:id', (ctx, params) => {
    if (!faults.remove(params['id'] ?? '')) throw new HttpError(404, 'no such fault rule');
    ctx.res.writeHead(204);
    ctx.res.end();
  });
}
