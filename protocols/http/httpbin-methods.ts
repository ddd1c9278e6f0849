/**
 * httpbin's request-inspection routes: `/anything[/...]` (any method), `/get`, `/post`, `/put`,
 * `/patch`, `/delete`, `/user-agent`, `/uuid`, `/response-headers`. Bodies are read within the
 * server's body limit.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { describeBody, describeRequest, requestHeaders } from './httpbin-request.js';
import { HttpError, sendJson } from './replies.js';
import { ANY, type Router } from './router.js';

/**
 * Response fields `/response-headers` may not set: they frame the message or the connection
 * (RFC 9112 §6, §9.6), so a client could desynchronise its own keep-alive connection with them.
 */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te']);

/** RFC 9110 §5.1 token, and §5.5 field value (visible characters, spaces and tabs). */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export function registerMethodRoutes(router: Router): void {
  router.on('GET', '/get', (ctx) => sendJson(ctx.res, 200, describeRequest(ctx)));

  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    router.on(method, `/${method.toLowerCase()}`, async (ctx) => {
      const body = await describeBody(ctx);
      sendJson(ctx.res, 200, { ...describeRequest(ctx), ...body });
    });
  }

  // "/anything/*" also matches "/anything" itself (see the router's prefix rule).
  router.on(ANY, '/anything/*', async (ctx) => {
    const body = await describeBody(ctx);
    sendJson(ctx.res, 200, { ...describeRequest(ctx), ...body, method: ctx.req.method });
  });

  router.on('GET', '/user-agent', (ctx) =>
    sendJson(ctx.res, 200, { 'user-agent': requestHeaders(ctx)['User-Agent'] ?? '' }),
  );

  router.on('GET', '/uuid', (ctx) => sendJson(ctx.res, 200, { uuid: randomUUID() }));

  router.on(['GET', 'POST'], '/response-headers', (ctx) => {
    const wanted: [string, string][] = [];
    for (const [name, value] of ctx.query) {
      if (!FIELD_NAME.test(name)) throw new HttpError(400, `'${name}' is not a valid header name`);
      if (!FIELD_VALUE.test(value)) throw new HttpError(400, `the value of ${name} is not a valid header value`);
      if (FRAMING_HEADERS.has(name.toLowerCase()))
        throw new HttpError(400, `${name} frames the message and cannot be set`);
      wanted.push([name, value]);
    }
    // The body lists the response's own headers, Content-Length included: grow the length
    // until it names itself (it settles within a few rounds, as in httpbin).
    const listed: Record<string, string | string[]> = { 'Content-Type': 'application/json; charset=utf-8' };
    for (const [name, value] of wanted) {
      // A Content-Type asked for replaces the default one; other fields add up.
      if (name.toLowerCase() === 'content-type') delete listed['Content-Type'];
      const had = listed[name];
      listed[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
    }
    let text = '';
    for (let length = 0, round = 0; round < 10; round++) {
      text = JSON.stringify({ ...listed, 'Content-Length': String(length) });
      const actual = Buffer.byteLength(text);
      if (actual === length) break;
      length = actual;
    }
    const res = ctx.res;
    for (const [name, value] of Object.entries(listed)) res.setHeader(name, value);
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.writeHead(200);
    res.end(text);
  });
}
