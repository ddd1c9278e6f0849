/**
 * Every HTTP request the server received, for verification (`suite.http.requests()`,
 * `GET /api/requests`): method, target, headers and body, the body cut at a bound. A ring of
 * bounded size, so memory does not grow with traffic. Entries keep node's raw header array and
 * the body buffer; the JSON form is built when asked for.
 * @module
 */
import { matchStubPath } from './stub-match.js';

/** Requests kept (older ones are dropped). */
export const RECORDED_REQUESTS = 1_000;
/** Bytes of each request body kept; the rest is counted, not kept. */
export const RECORDED_BODY_BYTES = 64 * 1024;

export interface RecordedRequest {
  /** 1, 2, 3... in arrival order (ids keep counting when old entries are dropped). */
  readonly id: number;
  /** ISO 8601 arrival time. */
  readonly time: string;
  readonly method: string;
  /** The request target as sent ("/v1/users?x=1"). */
  readonly target: string;
  /** The target's path, without the query. */
  readonly path: string;
  /** "GET /v1/users?x=1", the exchange record's request line. */
  readonly request: string;
  /** Header fields, names lowercased, repeats joined with ", ". */
  readonly headers: Record<string, string>;
  /** The body as UTF-8 text, at most the log's body bound. */
  readonly body: string;
  /** The body's full size in bytes. */
  readonly bodyBytes: number;
  /** True when `body` holds only the first part. */
  readonly bodyTruncated: boolean;
  /** The id of the stub that answered, if one did. */
  readonly stub: string | undefined;
  /** The status answered, once the response has started; undefined before. */
  readonly status: number | undefined;
}

export interface RequestFilter {
  /** Method, case-insensitive ("POST"). */
  readonly method?: string;
  /** Path: exact, `:param` segments or a trailing `*` (as in a stub). */
  readonly path?: string;
  /** Only requests after this request id (see `suite.mark()`). */
  readonly afterId?: number;
  /** Only requests answered by this stub. */
  readonly stub?: string;
  /** At most this many, the newest. */
  readonly limit?: number;
}

interface Entry {
  readonly id: number;
  readonly time: number;
  readonly method: string;
  readonly target: string;
  readonly path: string;
  readonly rawHeaders: readonly string[];
  body: Buffer;
  bodyBytes: number;
  stub: string | undefined;
  status: number | undefined;
}

/** What the server fills in as a recorded request goes on. */
export interface RecordedHandle {
  readonly id: number;
  setBody(body: Buffer): void;
  setStub(id: string): void;
  setStatus(status: number): void;
}

export interface RequestLogOptions {
  /** Requests kept; default {@link RECORDED_REQUESTS}. */
  readonly capacity?: number;
  /** Body bytes kept per request; default {@link RECORDED_BODY_BYTES}. */
  readonly maxBodyBytes?: number;
}

export class RequestLog {
  readonly capacity: number;
  readonly maxBodyBytes: number;
  #entries: (Entry | undefined)[];
  #next = 0;

  constructor(options: RequestLogOptions = {}) {
    this.capacity = options.capacity ?? RECORDED_REQUESTS;
    this.maxBodyBytes = options.maxBodyBytes ?? RECORDED_BODY_BYTES;
    if (!Number.isInteger(this.capacity) || this.capacity < 1)
      throw new RangeError('capacity must be a positive integer');
    this.#entries = new Array<Entry | undefined>(this.capacity);
  }

  /** Requests ever recorded (the id of the last one). */
  get total(): number {
    return this.#next;
  }

  /** Records a request whose head has arrived; returns its handle for the body, stub and status. */
  add(input: { method: string; target: string; path: string; rawHeaders: readonly string[] }): RecordedHandle {
    const entry: Entry = {
      id: ++this.#next,
      time: Date.now(),
      method: input.method,
      target: input.target,
      path: input.path,
      rawHeaders: input.rawHeaders,
      body: EMPTY,
      bodyBytes: 0,
      stub: undefined,
      status: undefined,
    };
    this.#entries[(entry.id - 1) % this.capacity] = entry;
    return {
      id: entry.id,
      setBody: (body) => {
        entry.bodyBytes = body.length;
        // A copy of the kept part, so the whole body is not retained through a slice.
        entry.body = body.length > this.maxBodyBytes ? Buffer.from(body.subarray(0, this.maxBodyBytes)) : body;
      },
      setStub: (id) => {
        entry.stub = id;
      },
      setStatus: (status) => {
        entry.status = status;
      },
    };
  }

  /** Recorded requests matching `filter`, oldest first. */
  list(filter: RequestFilter = {}): RecordedRequest[] {
    const out: RecordedRequest[] = [];
    const method = filter.method?.toUpperCase();
    const limit = filter.limit ?? this.capacity;
    const first = Math.max(1, this.#next - this.capacity + 1, (filter.afterId ?? 0) + 1);
    for (let id = this.#next; id >= first && out.length < limit; id--) {
      const e = this.#entries[(id - 1) % this.capacity];
      if (!e || e.id !== id) continue;
      if (method !== undefined && e.method !== method) continue;
      if (filter.path !== undefined && matchStubPath(filter.path, e.path) === undefined) continue;
      if (filter.stub !== undefined && e.stub !== filter.stub) continue;
      out.push(toRecord(e, this.maxBodyBytes));
    }
    return out.reverse();
  }

  /** Forgets every recorded request (ids keep counting). */
  clear(): void {
    this.#entries.fill(undefined);
  }
}

const EMPTY = Buffer.alloc(0);

function toRecord(e: Entry, maxBodyBytes: number): RecordedRequest {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < e.rawHeaders.length; i += 2) {
    const name = (e.rawHeaders[i] as string).toLowerCase();
    const value = e.rawHeaders[i + 1] as string;
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return {
    id: e.id,
    time: new Date(e.time).toISOString(),
    method: e.method,
    target: e.target,
    path: e.path,
    request: `${e.method} ${e.target}`,
    headers,
    body: e.body.toString('utf8'),
    bodyBytes: e.bodyBytes,
    bodyTruncated: e.bodyBytes > maxBodyBytes,
    stub: e.stub,
    status: e.status,
  };
}
