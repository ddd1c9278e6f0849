/**
 * Whether a request matches a stub, as pure functions: the path (exact, `:param`, trailing `*`),
 * then method, query, headers and body, in that order. A miss says which field failed first and
 * how far the request got, so the "closest stub" of a 404 is the one it got furthest with.
 * @module
 */
import type { StubSpec } from './stub-schema.js';

/** What a matcher sees of a request. */
export interface MatchInput {
  readonly method: string;
  /** The path as sent (percent-encoded), without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header fields, names lowercased. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export type MatchResult =
  | { readonly ok: true; readonly params: Record<string, string> }
  | {
      readonly ok: false;
      /** The first condition that failed: "path", "method", "query.k", "headers.x-api-key", "body". */
      readonly mismatch: string;
      /** How many conditions passed before it (0 = not even the path's prefix). */
      readonly depth: number;
    };

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The prefix a stub claims: the literal segments of a pattern before its first `:param` or `*`
 * ("/v1/users/:id" → "/v1/users/"), when there is at least one; undefined for an exact path
 * (it claims only itself) or a pattern that starts with a parameter (it would claim everything).
 */
export function literalPrefix(pattern: string): string | undefined {
  const fixed: string[] = [];
  for (const s of pattern.split('/').slice(1)) {
    if (s === '*' || s.startsWith(':')) return fixed.length > 0 ? `/${fixed.map((f) => `${f}/`).join('')}` : undefined;
    fixed.push(s);
  }
  return undefined;
}

/** Whether a request for `path` is under the prefix `pattern` claims (see {@link literalPrefix}). */
function underPrefix(pattern: string, path: string): boolean {
  const prefix = literalPrefix(pattern);
  return prefix !== undefined && (path.startsWith(prefix) || path === prefix.slice(0, -1));
}

/** The parameters of `path` under `pattern`, or undefined when it does not match. */
export function matchStubPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  const star = want[want.length - 1] === '*';
  const fixed = star ? want.length - 1 : want.length;
  if (star ? got.length < fixed : got.length !== fixed) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < fixed; i++) {
    const w = want[i] as string;
    const g = decodeSegment(got[i] as string);
    if (w.startsWith(':')) {
      if (g === '') return undefined;
      params[w.slice(1)] = g;
    } else if (w !== g) return undefined;
  }
  if (star) params['*'] = got.slice(fixed).map(decodeSegment).join('/');
  return params;
}

/** Whether `value` contains everything in `subset`: objects key by key, arrays element by element. */
export function jsonContains(value: unknown, subset: unknown): boolean {
  if (subset === null || typeof subset !== 'object') return Object.is(value, subset);
  if (Array.isArray(subset))
    return Array.isArray(value) && value.length === subset.length && subset.every((s, i) => jsonContains(value[i], s));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.entries(subset as Record<string, unknown>).every(
    ([k, s]) => Object.hasOwn(value, k) && jsonContains((value as Record<string, unknown>)[k], s),
  );
}

function headerValues(headers: MatchInput['headers'], name: string): string[] {
  const v = headers[name.toLowerCase()];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function bodyMatches(condition: NonNullable<StubSpec['body']>, body: Buffer): boolean {
  const text = body.toString('utf8');
  if (typeof condition === 'string') return text.includes(condition);
  if ('equals' in condition) return text === condition.equals;
  try {
    return jsonContains(JSON.parse(text), condition.json);
  } catch {
    return false;
  }
}

/** Matches `input` against `stub`; the first failing condition is the mismatch. */
export function matchStub(stub: StubSpec, input: MatchInput): MatchResult {
  const params = matchStubPath(stub.path, input.path);
  if (!params) return { ok: false, mismatch: 'path', depth: underPrefix(stub.path, input.path) ? 1 : 0 };
  let depth = 2;
  if (stub.method !== undefined && stub.method !== input.method && !(stub.method === 'GET' && input.method === 'HEAD'))
    return { ok: false, mismatch: 'method', depth };
  depth++;
  for (const [k, v] of Object.entries(stub.query ?? {})) {
    if (!input.query.getAll(k).includes(v)) return { ok: false, mismatch: `query.${k}`, depth };
    depth++;
  }
  for (const [k, v] of Object.entries(stub.headers ?? {})) {
    if (!headerValues(input.headers, k).includes(v))
      return { ok: false, mismatch: `headers.${k.toLowerCase()}`, depth };
    depth++;
  }
  if (stub.body !== undefined && !bodyMatches(stub.body, input.body)) return { ok: false, mismatch: 'body', depth };
  return { ok: true, params };
}
