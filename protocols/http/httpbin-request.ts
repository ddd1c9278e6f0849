/**
 * What the httpbin routes tell a client about its own request, in httpbin.org's JSON shape
 * (`args`, `headers`, `origin`, `url`, and for bodies `data`, `form`, `files`, `json`): header
 * names in their canonical spelling (`User-Agent`), a key sent once as a string, sent more than
 * once as a list.
 * @module
 */
import { HttpError } from './replies.js';
import type { RequestContext } from './request-context.js';

/** A query or form value: a string, or a list when the key came more than once. */
export type MultiValue = string | string[];

/** `user-agent` → `User-Agent` (the spelling httpbin and Go's net/http show). */
export function canonicalHeaderName(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/**
 * The request's header fields, repeated ones joined with ", " (RFC 9110 §5.3), names spelled by
 * `spell` (default the canonical `User-Agent`).
 */
export function requestHeaders(
  ctx: RequestContext,
  spell: (name: string) => string = canonicalHeaderName,
): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = ctx.req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = spell(raw[i] as string);
    const value = raw[i + 1] as string;
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  }
  return out;
}

/** URLSearchParams (or form fields) as an object: one value as a string, several as a list. */
export function multiValues(params: Iterable<[string, string]>): Record<string, MultiValue> {
  const out: Record<string, MultiValue> = {};
  for (const [key, value] of params) {
    const had = out[key];
    if (had === undefined) out[key] = value;
    else if (Array.isArray(had)) had.push(value);
    else out[key] = [had, value];
  }
  return out;
}

/** The client's address: the first `X-Forwarded-For` hop when a proxy names one, as httpbin does. */
export function origin(ctx: RequestContext): string {
  const forwarded = ctx.req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first ? first : ctx.remoteAddress;
}

/** The host and port the client addressed (`Host`), else the server's own socket address. */
export function hostOf(ctx: RequestContext): string {
  const host = ctx.req.headers.host;
  if (host && /^[A-Za-z0-9.\-_:[\]]+$/.test(host)) return host;
  const socket = ctx.req.socket;
  const address = socket.localAddress ?? '127.0.0.1';
  return `${address.includes(':') ? `[${address}]` : address}:${socket.localPort ?? 0}`;
}

/** The absolute URL of this request ("http://127.0.0.1:8080/get?a=1"). */
export function requestUrl(ctx: RequestContext): string {
  const target = ctx.req.url ?? '/';
  return target.startsWith('/') ? `http://${hostOf(ctx)}${target}` : target;
}

/** `args`, `headers`, `origin` and `url`: the part of httpbin's answer every route shares. */
export function describeRequest(ctx: RequestContext): {
  args: Record<string, MultiValue>;
  headers: Record<string, string>;
  origin: string;
  url: string;
} {
  return { args: multiValues(ctx.query), headers: requestHeaders(ctx), origin: origin(ctx), url: requestUrl(ctx) };
}

/** Bytes as JSON-safe text: UTF-8 as is, anything else as a `data:` URL (RFC 2397), as httpbin does. */
export function jsonSafe(bytes: Buffer, contentType = 'application/octet-stream'): string {
  const text = bytes.toString('utf8');
  if (Buffer.byteLength(text) === bytes.length && Buffer.from(text, 'utf8').equals(bytes)) return text;
  return `data:${contentType};base64,${bytes.toString('base64')}`;
}

export interface BodyParts {
  /** The body as text, empty for form submissions (their fields are in `form`). */
  data: string;
  form: Record<string, MultiValue>;
  files: Record<string, MultiValue>;
  json: unknown;
}

/** Reads the body (bounded by the server's limit) and splits it the way httpbin reports it. */
export async function describeBody(ctx: RequestContext): Promise<BodyParts> {
  const body = await ctx.readBody();
  const type = (ctx.req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded'))
    return { data: '', form: multiValues(new URLSearchParams(body.toString('utf8'))), files: {}, json: null };
  if (type.startsWith('multipart/form-data')) return { data: '', ...(await multipart(body, type)), json: null };
  let json: unknown = null;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    // Not JSON: httpbin reports json: null.
  }
  return { data: jsonSafe(body), form: {}, files: {}, json };
}

/** Fields and files of a multipart/form-data body (RFC 7578), parsed by the platform's own parser. */
async function multipart(
  body: Buffer,
  contentType: string,
): Promise<{ form: Record<string, MultiValue>; files: Record<string, MultiValue> }> {
  let data: FormData;
  try {
    data = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new HttpError(400, 'malformed multipart/form-data body');
  }
  const fields: [string, string][] = [];
  const files: [string, string][] = [];
  for (const [name, value] of data) {
    if (typeof value === 'string') fields.push([name, value]);
    else files.push([name, jsonSafe(Buffer.from(await value.arrayBuffer()), value.type || undefined)]);
  }
  return { form: multiValues(fields), files: multiValues(files) };
}

/**
 * A non-negative integer parameter no larger than `max` (else 400 naming it). `fallback` is used
 * when the text is absent.
 */
export function boundedInt(text: string | null | undefined, name: string, max: number, fallback?: number): number {
  if ((text === undefined || text === null || text === '') && fallback !== undefined) return fallback;
  if (text === undefined || text === null || !/^\d{1,10}$/.test(text))
    throw new HttpError(400, `${name} must be a non-negative integer`);
  const n = Number(text);
  if (n > max) throw new HttpError(400, `${name} must be at most ${max}`);
  return n;
}

/**
 * A duration parameter in seconds ("1.5") or with a unit ("1500ms", "2s", as go-httpbin takes),
 * as milliseconds, at most `maxMs` (else 400 naming it).
 */
export function durationMs(text: string | null, name: string, maxMs: number, fallbackMs: number): number {
  if (text === null || text === '') return fallbackMs;
  const m = /^(\d{1,9}(?:\.\d{1,6})?)(ms|s)?$/.exec(text.trim());
  if (!m) throw new HttpError(400, `${name} must be a duration in seconds ("1.5", "2s") or milliseconds ("500ms")`);
  const ms = m[2] === 'ms' ? Number(m[1]) : Number(m[1]) * 1000;
  if (ms > maxMs) throw new HttpError(400, `${name} must be at most ${maxMs / 1000} s`);
  return ms;
}

/** Resolves after `ms`, or at once when the response closes first (the client left). */
export function sleepUnlessClosed(ctx: RequestContext, ms: number): Promise<void> {
  if (ms <= 0 || ctx.res.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      ctx.res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    ctx.res.once('close', done);
  });
}
