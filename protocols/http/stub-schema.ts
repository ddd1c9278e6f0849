/**
 * The shape of an HTTP stub (SPEC.md "HTTP stubs and recorded requests"), the same from the config
 * file, `POST /api/stubs` and `suite.http.stub()`, validated with zod so a bad stub is refused with
 * `"<field>: <why>"`.
 * @module
 */
import { z } from 'zod';
import { MAX_DELAY_MS } from './limits.js';

/**
 * Paths the suite's own console and API answer; a stub may not shadow them (SPEC.md): the page at
 * `/`, its assets under `/console/`, the favicon, `/api/*`, `/healthz`, `/metrics` and DNS over
 * HTTPS at `/dns-query`.
 */
export const CONSOLE_PATHS = '/, /console/*, /favicon.*, /api/*, /healthz, /metrics, /dns-query';

export function isConsolePath(path: string): boolean {
  return (
    path === '/' ||
    path === '/api' ||
    path.startsWith('/api/') ||
    path === '/console' ||
    path.startsWith('/console/') ||
    path.startsWith('/favicon.') ||
    path === '/healthz' ||
    path === '/metrics' ||
    path === '/dns-query'
  );
}

/**
 * True when a stub path could only answer console paths, or all of them: a literal console path,
 * a pattern under one (`/api/*`, `/console/:file`) or `/*`. A pattern such as `/:name` stays
 * allowed: it answers other paths, and the stubs pass every console path on to the routes.
 */
function shadowsConsole(p: string): boolean {
  return p === '/*' || isConsolePath(p.replace(/\/\*$/, '/').replace(/\/:[^/]+/g, '/x'));
}

/**
 * A stub path: starts with '/', segments are literals, `:name` parameters, or a final `*` for
 * the rest of the path. No query or fragment (the query has its own condition).
 */
const stubPath = z
  .string()
  .min(1)
  .max(2_048)
  .refine((p) => p.startsWith('/'), 'must start with /')
  .refine((p) => !/[?#\s]/.test(p), 'may not hold ?, # or white space (match the query with "query")')
  .refine((p) => {
    const segments = p.split('/').slice(1);
    return segments.every((s, i) => (s.includes('*') ? s === '*' && i === segments.length - 1 : true));
  }, '* is only allowed as the whole last segment ("/v1/*")')
  .refine((p) => p.split('/').every((s) => s !== ':'), 'a :parameter needs a name')
  .refine((p) => !shadowsConsole(p), {
    error: (issue) => `${String(issue.input)} is reserved for the console (${CONSOLE_PATHS}); a stub cannot shadow it`,
  });

const headerMap = z.record(z.string().min(1).max(256), z.string().max(8_192));

/** A JSON value (for bodies to match and to answer with). */
const json: z.ZodType<unknown> = z.json();

const bodyCondition = z.union([z.string(), z.object({ equals: z.string() }).strict(), z.object({ json }).strict()]);

const response = z
  .object({
    status: z.number().int().min(200).max(599).optional(),
    headers: headerMap.optional(),
    body: z.string().optional(),
    json: json.optional(),
    /** Bytes, base64-encoded. */
    base64: z.string().optional(),
    /** A file under the FTP root (served at /files/ too), read when the stub answers. */
    file: z
      .string()
      .min(1)
      .refine((f) => !f.split(/[\\/]/).includes('..'), 'may not leave the FTP root (..)')
      .optional(),
    delayMs: z.number().int().min(0).max(MAX_DELAY_MS).optional(),
  })
  .strict()
  .refine((r) => [r.body, r.json, r.base64, r.file].filter((b) => b !== undefined).length <= 1, {
    message: 'give at most one of body, json, base64, file',
  });

export const stubSchema = z
  .object({
    method: z
      .string()
      .regex(/^[A-Za-z]{1,20}$/, 'must be an HTTP method name')
      .transform((m) => m.toUpperCase())
      .optional(),
    path: stubPath,
    query: z.record(z.string(), z.string()).optional(),
    headers: headerMap.optional(),
    body: bodyCondition.optional(),
    respond: z.union([response, z.array(response).min(1).max(100)]),
  })
  .strict();

/** A stub as given (before validation). */
export type StubInput = z.input<typeof stubSchema>;
/** A validated stub. */
export type StubSpec = z.output<typeof stubSchema>;
export type StubResponse = z.output<typeof response>;

/** Thrown for a stub that does not validate; `message` is `"<field>: <why>"`. */
export class StubError extends Error {
  readonly field: string;
  constructor(field: string, why: string) {
    super(`${field}: ${why}`);
    this.name = 'StubError';
    this.field = field;
  }
}

/** Validates one stub; `where` prefixes the field in errors ("http.stubs[2]"). */
export function parseStub(raw: unknown, where = ''): StubSpec {
  const result = stubSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = [where, ...(issue?.path ?? []).map(String)].filter((p) => p !== '').join('.') || '(stub)';
  let why = issue?.message ?? 'invalid';
  if (issue?.code === 'unrecognized_keys') why = `unknown field ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  throw new StubError(field, why);
}
