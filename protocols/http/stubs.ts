/**
 * The HTTP stubs of a server: kept in order, matched before the built-in routes (the newest
 * matching stub answers, so a test can override a stub from the config), never on the console's
 * own paths. A request under a stub's path or prefix that no stub matches gets SPEC's 404 naming
 * the closest stub and the field that failed; any other request goes on to the built-in routes.
 * @module
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sleepUnlessClosed } from './httpbin-request.js';
import { HttpError, sendJson } from './replies.js';
import type { RequestContext } from './request-context.js';
import { type MatchInput, matchStub } from './stub-match.js';
import { isConsolePath, parseStub, StubError, type StubResponse, type StubSpec } from './stub-schema.js';

/** Stubs one server keeps at most (each `POST /api/stubs` adds one). */
export const MAX_STUBS = 1_000;

/** A stub as `GET /api/stubs` shows it: the spec plus its id and how many requests it answered. */
export type StubView = StubSpec & { readonly id: string; readonly calls: number };

interface Stub {
  readonly id: string;
  readonly spec: StubSpec;
  calls: number;
}

export interface StubStoreOptions {
  /** Folder `respond.file` paths are relative to (the FTP root). */
  readonly filesRoot: string;
  /** Most stubs kept; default {@link MAX_STUBS}. */
  readonly maxStubs?: number;
}

/** What {@link StubStore.answer} did with a request. */
export type StubOutcome = 'answered' | 'not-found' | 'pass';

export class StubStore {
  readonly maxStubs: number;
  #filesRoot: string;
  #stubs: Stub[] = [];
  #nextId = 1;

  constructor(options: StubStoreOptions) {
    this.#filesRoot = options.filesRoot;
    this.maxStubs = options.maxStubs ?? MAX_STUBS;
  }

  /** Whether any stub is set (requests skip the matcher when none is). */
  get size(): number {
    return this.#stubs.length;
  }

  /** Validates and adds a stub; throws {@link StubError} naming the bad field. */
  add(raw: unknown, where = ''): StubView {
    const spec = parseStub(raw, where);
    if (this.#stubs.length >= this.maxStubs)
      throw new StubError(where || '(stub)', `at most ${this.maxStubs} stubs; remove some first`);
    const stub: Stub = { id: `stub-${this.#nextId++}`, spec, calls: 0 };
    this.#stubs.push(stub);
    return view(stub);
  }

  list(): StubView[] {
    return this.#stubs.map(view);
  }

  get(id: string): StubView | undefined {
    const stub = this.#stubs.find((s) => s.id === id);
    return stub ? view(stub) : undefined;
  }

  remove(id: string): boolean {
    const before = this.#stubs.length;
    this.#stubs = this.#stubs.filter((s) => s.id !== id);
    return this.#stubs.length < before;
  }

  clear(): number {
    const n = this.#stubs.length;
    this.#stubs = [];
    return n;
  }

  /**
   * Answers `ctx` from the newest matching stub ('answered'), with the closest-stub 404 when the
   * request is under some stub's path but matches none ('not-found'), or leaves it to the routes
   * ('pass'). `onMatch` learns which stub answered before its response starts.
   */
  async answer(ctx: RequestContext, body: Buffer, onMatch: (id: string) => void): Promise<StubOutcome> {
    if (this.#stubs.length === 0 || isConsolePath(ctx.path)) return 'pass';
    const input: MatchInput = {
      method: ctx.req.method ?? 'GET',
      path: ctx.path,
      query: ctx.query,
      headers: ctx.req.headers,
      body,
    };
    let closest: { id: string; mismatch: string; depth: number } | undefined;
    for (let i = this.#stubs.length - 1; i >= 0; i--) {
      const stub = this.#stubs[i] as Stub;
      const result = matchStub(stub.spec, input);
      if (result.ok) {
        const call = stub.calls++;
        onMatch(stub.id);
        await this.#respond(ctx, pick(stub.spec.respond, call));
        return 'answered';
      }
      if (result.depth > 0 && (closest === undefined || result.depth > closest.depth))
        closest = { id: stub.id, mismatch: result.mismatch, depth: result.depth };
    }
    if (closest === undefined) return 'pass';
    sendJson(ctx.res, 404, {
      error: `no stub matches ${input.method} ${ctx.req.url ?? ctx.path}; closest is ${closest.id}, which differs in ${closest.mismatch}`,
      closest: closest.id,
      mismatch: closest.mismatch,
    });
    return 'not-found';
  }

  async #respond(ctx: RequestContext, r: StubResponse): Promise<void> {
    if (r.delayMs) await sleepUnlessClosed(ctx, r.delayMs);
    const res = ctx.res;
    if (res.destroyed) return;
    const status = r.status ?? 200;
    let body: Buffer;
    let type: string;
    if (r.json !== undefined) {
      body = Buffer.from(JSON.stringify(r.json));
      type = 'application/json; charset=utf-8';
    } else if (r.base64 !== undefined) {
      body = Buffer.from(r.base64, 'base64');
      type = 'application/octet-stream';
    } else if (r.file !== undefined) {
      body = await this.#readFile(r.file, ctx.maxBodyBytes);
      type = 'application/octet-stream';
    } else {
      body = Buffer.from(r.body ?? '');
      type = 'text/plain; charset=utf-8';
    }
    const headers: Record<string, string | number> = { 'Content-Type': type };
    for (const [name, value] of Object.entries(r.headers ?? {})) {
      if (name.toLowerCase() === 'content-type') delete headers['Content-Type'];
      headers[name] = value;
    }
    // RFC 9110 §6.4.1: 204 and 304 carry no content.
    const empty = status === 204 || status === 304;
    if (!empty) headers['Content-Length'] = body.length;
    try {
      res.writeHead(status, headers);
    } catch (err) {
      throw new HttpError(500, `stub headers cannot be sent: ${(err as Error).message}`);
    }
    res.end(empty ? undefined : body);
  }

  /** A `respond.file` under the FTP root (symlinks resolved, must stay inside), at most `max` bytes. */
  async #readFile(name: string, max: number): Promise<Buffer> {
    let root: string;
    let real: string;
    try {
      root = await fs.realpath(this.#filesRoot);
      real = await fs.realpath(path.resolve(root, name.replace(/^\/+/, '')));
    } catch {
      throw new HttpError(500, `stub file ${name} does not exist under the FTP root`);
    }
    if (real !== root && !real.startsWith(root + path.sep))
      throw new HttpError(500, `stub file ${name} leaves the FTP root`);
    const stat = await fs.stat(real);
    if (!stat.isFile()) throw new HttpError(500, `stub file ${name} is not a file`);
    if (stat.size > max) throw new HttpError(500, `stub file ${name} is larger than ${max} bytes`);
    return fs.readFile(real);
  }
}

/** The response of call `n` (0-based) of a sequence; the last one repeats. */
function pick(respond: StubSpec['respond'], n: number): StubResponse {
  if (!Array.isArray(respond)) return respond;
  return respond[Math.min(n, respond.length - 1)] as StubResponse;
}

function view(stub: Stub): StubView {
  return { id: stub.id, ...stub.spec, calls: stub.calls };
}
