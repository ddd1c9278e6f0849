/**
 * A validated in-memory cache for small static files. `send` serves a file the first time (after
 * the sandbox checks) and decides every header; a plain GET/HEAD of the same path afterwards (no
 * Range, no conditional header) is answered from memory with exactly those headers, once a `stat`
 * of the path shows it still reaches the same file (device, inode) with the same size, mtime and
 * ctime. Anything else goes through the sandbox and `send` again.
 *
 * One stat per path per poll phase: a busy server answers many requests for the same file in one
 * pass of the event loop, and one stat vouches for all of them. libuv's poll phase runs the I/O
 * callbacks for the sockets one `epoll_wait` returned; node's http parser runs the request handler
 * synchronously inside the socket's read callback. So a request answered in this phase was
 * already on its socket when `epoll_wait` returned, which was before any stat made in this
 * phase: a client that finished changing a file before it sent the request still gets the new
 * content (and a change made by this process, e.g. an FTP upload, finishes before its reply can
 * reach the client). The remembered result is dropped by a `setImmediate`, which runs in the
 * check phase right after this poll phase, before the next `epoll_wait`. The limits of that
 * argument: libuv polls again within one phase when a single `epoll_wait` fills its 1,024
 * events, and a pipelined request held back while its connection's responses were not being
 * read can be parsed late; in both rare cases a change finished microseconds earlier may be
 * missed once, and the next phase stats again.
 *
 * Why one stat is enough for the sandbox: a hit only ever serves the bytes of an unchanged inode
 * that was verified inside the root when cached. Moving that file (even out of the root) changes
 * its ctime, and any other file has another inode, so a swapped symlink or renamed folder misses
 * and takes the full real-path check. This skips the realpath/open/read/close round trips through
 * libuv's thread pool that dominate the cost of a tiny file; the `stat` is synchronous (a few
 * microseconds on a local file system, Stats object included).
 * @module
 */
import fs, { type Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Files up to this size are kept in memory after being served. */
export const MAX_CACHED_FILE_BYTES = 64 * 1024;
/** Memory the cache may use for file contents in total. */
export const MAX_CACHE_BYTES = 16 * 1024 * 1024;
/** Files the cache remembers at most (oldest forgotten first). */
export const MAX_CACHE_ENTRIES = 1_024;

/** A missing file is `undefined`, not an exception (one options object for every request). */
const STAT_OPTIONS = { throwIfNoEntry: false } as const;

/** Headers that belong to one response, not to the file. */
const PER_RESPONSE = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

interface Entry {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  /**
   * Name, value, name, value…: the form `writeHead` walks fastest (an indexed loop; an object is
   * walked with for…in). Node validates the headers either way.
   */
  readonly headers: readonly string[];
  /** The cache's phase count when a stat last showed the file unchanged. */
  checkedIn: number;
  /**
   * The content as a latin1 string (one char per byte, lossless): node then sends head and body in
   * one write instead of a writev of two buffers.
   */
  readonly body: string;
}

type FileIdentity = Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs' | 'ctimeMs'>;

function sameFile(a: Stats, b: FileIdentity): boolean {
  return (
    a.isFile() &&
    a.ino === b.ino &&
    a.dev === b.dev &&
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs
  );
}

/** Request headers that make a GET more than plain: Range and preconditions (RFC 9110 §13, §14.2). */
const NOT_PLAIN = new Set(['range', 'if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since']);

/**
 * True for a GET/HEAD the cache may answer: no Range and no precondition. Reads `rawHeaders`:
 * node builds `req.headers` lazily, on first use, and a cache hit never needs it.
 */
export function isPlainRequest(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    // The names above are 5 to 19 characters long; most request headers are cheaper to skip.
    if (name.length >= 5 && name.length <= 19 && NOT_PLAIN.has(name.toLowerCase())) return false;
  }
  return true;
}

export interface FileCacheOptions {
  /** Largest file kept; default {@link MAX_CACHED_FILE_BYTES}. 0 turns the cache off. */
  readonly maxFileBytes?: number;
  /** Total bytes kept; default {@link MAX_CACHE_BYTES}. */
  readonly maxBytes?: number;
  /** Files kept; default {@link MAX_CACHE_ENTRIES}. */
  readonly maxEntries?: number;
}

export class SmallFileCache {
  readonly maxFileBytes: number;
  readonly maxBytes: number;
  readonly maxEntries: number;
  #entries = new Map<string, Entry>();
  #bytes = 0;
  /** Counts event-loop passes in which this cache made a stat; see the module comment. */
  #phase = 0;
  #phaseEndScheduled = false;
  readonly #endPhase = (): void => {
    this.#phase++;
    this.#phaseEndScheduled = false;
  };

  constructor(options: FileCacheOptions = {}) {
    this.maxFileBytes = options.maxFileBytes ?? MAX_CACHED_FILE_BYTES;
    this.maxBytes = options.maxBytes ?? MAX_CACHE_BYTES;
    this.maxEntries = options.maxEntries ?? MAX_CACHE_ENTRIES;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Answers a plain request for `fullPath` (the unresolved path inside the root) from memory when
   * the file is cached and unchanged; returns false (nothing written) otherwise.
   */
  tryServe(fullPath: string, req: IncomingMessage, res: ServerResponse): boolean {
    const entry = this.#entries.get(fullPath);
    if (!entry) return false;
    // A stat in this phase scheduled its end, and the end moves `phase` on: equal means checked now.
    if (entry.checkedIn !== this.#phase) {
      let stat: Stats | undefined;
      try {
        stat = fs.statSync(fullPath, STAT_OPTIONS);
      } catch {
        return this.#forget(fullPath);
      }
      if (!stat || !sameFile(stat, entry)) return this.#forget(fullPath);
      if (!this.#phaseEndScheduled) {
        this.#phaseEndScheduled = true;
        setImmediate(this.#endPhase).unref();
      }
      entry.checkedIn = this.#phase;
    }
    // An array keeps the headers node already set (Connection: close on shutdown) and adds these.
    // HTTP/2's compatibility writeHead takes no flat array: it gets them one by one.
    if (req.httpVersionMajor === 2) {
      for (let i = 0; i < entry.headers.length; i += 2)
        res.setHeader(entry.headers[i] as string, entry.headers[i + 1] as string);
      res.writeHead(200);
    } else res.writeHead(200, entry.headers as string[]);
    if (req.method === 'HEAD') res.end();
    else res.end(entry.body, 'latin1');
    return true;
  }

  /**
   * Remembers a file `send` has just served in full (200) with these headers, if it is small and
   * still the same file once read.
   */
  async remember(fullPath: string, realPath: string, res: ServerResponse, stat: Stats): Promise<void> {
    if (stat.size > this.maxFileBytes || !stat.isFile()) return;
    const headers: string[] = [];
    // getRawHeaderNames (node >= 15.13, missing from @types/node 20) keeps send's header spelling;
    // HTTP/2 responses lack it (their names are lower case anyway).
    const raw = res as ServerResponse & { getRawHeaderNames?(): string[] };
    const names = raw.getRawHeaderNames ? raw.getRawHeaderNames() : res.getHeaderNames();
    for (const name of names) {
      const value = res.getHeader(name);
      // HTTP/2 responses list their pseudo-header `:status` too.
      if (value === undefined || name.startsWith(':') || PER_RESPONSE.has(name.toLowerCase())) continue;
      for (const one of Array.isArray(value) ? value : [value]) headers.push(name, String(one));
    }
    let body: string;
    try {
      body = (await fs.promises.readFile(realPath)).toString('latin1');
      const after = await fs.promises.stat(realPath);
      if (!sameFile(after, stat) || body.length !== stat.size) return;
    } catch {
      return;
    }
    this.#forget(fullPath);
    while (
      this.#entries.size > 0 &&
      (this.#entries.size >= this.maxEntries || this.#bytes + body.length > this.maxBytes)
    ) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#forget(oldest);
    }
    if (this.#bytes + body.length > this.maxBytes) return;
    this.#entries.set(fullPath, {
      dev: stat.dev,
      ino: stat.ino,
      size: stat.size,
      mtimeMs: stat.mtimeMs,
      ctimeMs: stat.ctimeMs,
      headers,
      checkedIn: -1,
      body,
    });
    this.#bytes += body.length;
  }

  #forget(fullPath: string): false {
    const entry = this.#entries.get(fullPath);
    if (entry) {
      this.#entries.delete(fullPath);
      this.#bytes -= entry.body.length;
    }
    return false;
  }
}
