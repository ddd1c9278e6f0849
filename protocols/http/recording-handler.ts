/**
 * The request handler in front of the routes: records each request in the {@link RequestLog}
 * (its body read first, within the body limit, and handed on to the route), lets the stubs answer
 * it, and otherwise passes it to the router. A request without a body and a server without stubs
 * go straight to the router: the common GET costs one log entry.
 * @module
 */

import { rememberBody } from './replies.js';
import type { RequestContext, RequestHandler } from './request-context.js';
import type { RecordedHandle, RequestLog } from './request-log.js';
import type { StubStore } from './stubs.js';

const EMPTY = Buffer.alloc(0);

/** RFC 9112 §6.3: a request has a body only when it says so (Content-Length or Transfer-Encoding). */
function announcesBody(raw: readonly string[]): boolean {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') return true;
    if (name.length === 14 && name.toLowerCase() === 'content-length' && (raw[i + 1] as string).trim() !== '0')
      return true;
  }
  return false;
}

/** Notes the status once the response has started (now, or when it closes). */
function noteStatus(record: RecordedHandle, ctx: RequestContext): void {
  const res = ctx.res;
  if (res.headersSent) record.setStatus(res.statusCode);
  else res.once('close', () => res.headersSent && record.setStatus(res.statusCode));
}

export function recordingHandler(requests: RequestLog, stubs: StubStore, next: RequestHandler): RequestHandler {
  return (ctx) => {
    const req = ctx.req;
    const record = requests.add({
      method: req.method ?? 'GET',
      target: req.url ?? '/',
      path: ctx.path,
      rawHeaders: req.rawHeaders,
    });
    const hasBody = announcesBody(req.rawHeaders);
    if (!hasBody && stubs.size === 0) {
      const pending = next(ctx);
      if (pending) return pending.finally(() => noteStatus(record, ctx));
      noteStatus(record, ctx);
      return;
    }
    return (async () => {
      try {
        const body = hasBody ? await ctx.readBody() : EMPTY;
        record.setBody(body);
        rememberBody(req, body);
        const outcome = await stubs.answer(ctx, body, (id) => record.setStub(id));
        if (outcome === 'pass') await next(ctx);
      } finally {
        noteStatus(record, ctx);
      }
    })();
  };
}
