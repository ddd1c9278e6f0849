/**
 * Differential test of `/files/`: the same folder tree served by nginx (the reference static file
 * server, test/helpers/nginx-reference.ts) and by minisuite; the same raw request bytes go to
 * both. Status, the headers that carry meaning (Content-Length, Content-Range, Accept-Ranges on
 * 200, Last-Modified, a strong ETag, Location on folder redirects, the media type) and the bodies
 * of files must agree. Error bodies differ by design (JSON here, HTML there), as do nginx's
 * `charset`-less text types and its ETag spelling (mtime-size in seconds; ours size-mtime in
 * milliseconds): the test compares what each means, an ETag by using each server's own.
 *
 * Where the two differ on purpose, the case says both answers and why, so a change on either
 * side shows up here.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Suite, startSuite } from '../../suite/start-suite.js';
import { type NginxReference, startNginx } from '../helpers/nginx-reference.js';

const MTIME = new Date('2024-01-02T03:04:05Z');
const LAST_MODIFIED = MTIME.toUTCString();
const BIG = 1024 * 1024 + 17;

/** The tree both serve (below DATA/files). */
const TREE: Readonly<Record<string, string | Buffer>> = {
  'a.txt': 'hello world, this is a text file\n',
  'empty.txt': '',
  'page.html': '<p>hi</p>',
  'data.json': '{"a":1}',
  'img.png': Buffer.alloc(100, 1),
  noext: 'no extension',
  'x.unknownext': 'x',
  'sp ace.txt': 'space',
  'ünï.txt': 'unicode',
  'pct%41.txt': 'percent',
  'big.bin': Buffer.alloc(BIG, 7),
  'sub/b.txt': 'bbb',
  'sub/deeper/c.txt': 'c',
};

interface Case {
  /** The request line and header lines (no Host, no Connection: the test adds them unless `raw`). */
  readonly head: string;
  /** Send exactly `head` (its own line ends; nothing added). */
  readonly raw?: boolean;
  /** A deliberate difference: each server's status and the reason ours is right. */
  readonly differs?: { readonly ours: number; readonly nginx: number; readonly why: string };
  /** Compare status only (a listing's HTML, or parts both may split differently). */
  readonly statusOnly?: string;
}

const CASES: readonly Case[] = [
  // Plain GET and HEAD, types, names.
  { head: 'GET /files/a.txt' },
  { head: 'HEAD /files/a.txt' },
  { head: 'GET /files/empty.txt' },
  { head: 'HEAD /files/empty.txt' },
  { head: 'GET /files/page.html' },
  { head: 'GET /files/data.json' },
  { head: 'GET /files/img.png' },
  { head: 'GET /files/noext' },
  { head: 'GET /files/x.unknownext' },
  { head: 'GET /files/big.bin' },
  { head: 'HEAD /files/big.bin' },
  { head: 'GET /files/sp%20ace.txt' },
  { head: 'GET /files/%C3%BCn%C3%AF.txt' },
  { head: 'GET /files/pct%2541.txt' },
  { head: 'GET /files/%61.txt' },
  { head: 'GET /files/./a.txt' },
  { head: 'GET /files//a.txt' },
  { head: 'GET /files/a.txt?x=1&y' },
  { head: 'GET /files/missing.txt' },
  { head: 'GET /files/a.txt/' },
  { head: 'GET http://127.0.0.1/files/a.txt' },
  // Folders: 301 to the URL with '/', the query kept; listings.
  { head: 'GET /files/sub' },
  { head: 'HEAD /files/sub' },
  { head: 'GET /files/sub?x=1' },
  { head: 'GET /files/sub/deeper' },
  { head: 'GET /files' },
  { head: 'GET /files/sub/', statusOnly: 'listings are our own HTML' },
  { head: 'GET /files/', statusOnly: 'listings are our own HTML' },
  { head: 'GET /files/sub/\r\nIf-None-Match: *' },
  // Ranges.
  { head: 'GET /files/a.txt\r\nRange: bytes=0-3' },
  { head: 'HEAD /files/a.txt\r\nRange: bytes=0-3' },
  { head: 'GET /files/a.txt\r\nRange: bytes=-5' },
  { head: 'GET /files/a.txt\r\nRange: bytes=5-' },
  { head: 'GET /files/a.txt\r\nRange: bytes=0-1000' },
  { head: 'GET /files/a.txt\r\nRange: bytes=-1000' },
  { head: 'GET /files/a.txt\r\nRange: bytes=500-' },
  { head: 'GET /files/a.txt\r\nRange: bytes=5-2' },
  { head: 'GET /files/a.txt\r\nRange: bytes=-0' },
  { head: 'GET /files/a.txt\r\nRange: bytes= 0-3' },
  { head: 'GET /files/a.txt\r\nRange: BYTES=0-3' },
  { head: 'GET /files/a.txt\r\nRange: items=0-3' },
  { head: 'GET /files/a.txt\r\nRange: bytes=0-3,100-200' },
  { head: 'GET /files/a.txt\r\nRange: bytes=100-200,0-3' },
  { head: 'GET /files/big.bin\r\nRange: bytes=1048570-' },
  { head: 'GET /files/big.bin\r\nRange: bytes=-3' },
  { head: 'GET /files/empty.txt\r\nRange: bytes=0-' },
  { head: 'GET /files/empty.txt\r\nRange: bytes=-5' },
  {
    head: 'GET /files/a.txt\r\nRange: bytes=0-3,',
    differs: { ours: 206, nginx: 416, why: 'RFC 9110 §5.6.1.2: empty list elements are ignored, so this is bytes=0-3' },
  },
  {
    head: 'GET /files/a.txt\r\nRange: bytes=abc',
    differs: { ours: 200, nginx: 416, why: 'RFC 9110 §14.2: a server MAY ignore a Range; an invalid one is ignored' },
  },
  {
    head: 'GET /files/a.txt\r\nRange: bytes=3',
    differs: { ours: 200, nginx: 416, why: 'invalid range syntax is ignored (RFC 9110 §14.2)' },
  },
  {
    head: 'GET /files/a.txt\r\nRange: bytes=0-5,3-8',
    statusOnly: 'RFC 9110 §14.3: overlapping ranges MAY be coalesced (we send 0-8, nginx two parts)',
  },
  // Preconditions; {etag} is each server's own ETag of /files/a.txt.
  { head: `GET /files/a.txt\r\nIf-Modified-Since: ${LAST_MODIFIED}` },
  { head: 'GET /files/a.txt\r\nIf-Modified-Since: Mon, 01 Jan 2024 03:04:05 GMT' },
  { head: 'GET /files/a.txt\r\nIf-Modified-Since: not a date' },
  {
    head: 'GET /files/a.txt\r\nIf-Modified-Since: Wed, 03 Jan 2024 03:04:05 GMT',
    differs: {
      ours: 304,
      nginx: 200,
      why: 'RFC 9110 §13.1.3: modified no later than the date given → 304 (nginx matches the date exactly)',
    },
  },
  { head: 'GET /files/a.txt\r\nIf-Unmodified-Since: Mon, 01 Jan 2024 03:04:05 GMT' },
  { head: 'GET /files/a.txt\r\nIf-Unmodified-Since: Wed, 03 Jan 2024 03:04:05 GMT' },
  { head: 'GET /files/a.txt\r\nIf-Match: "nope"' },
  { head: 'GET /files/a.txt\r\nIf-Match: *' },
  { head: 'GET /files/a.txt\r\nIf-Match: {etag}' },
  { head: 'GET /files/a.txt\r\nIf-None-Match: *' },
  { head: 'GET /files/a.txt\r\nIf-None-Match: "nope"' },
  { head: 'GET /files/a.txt\r\nIf-None-Match: {etag}' },
  { head: 'HEAD /files/a.txt\r\nIf-None-Match: {etag}' },
  { head: 'GET /files/a.txt\r\nIf-None-Match: "a", {etag}' },
  { head: 'GET /files/a.txt\r\nIf-None-Match: "nope"\r\nIf-Modified-Since: Wed, 03 Jan 2024 03:04:05 GMT' },
  { head: 'GET /files/a.txt\r\nIf-Match: "nope"\r\nIf-None-Match: *' },
  { head: `GET /files/a.txt\r\nRange: bytes=0-3\r\nIf-Range: ${LAST_MODIFIED}` },
  { head: 'GET /files/a.txt\r\nRange: bytes=0-3\r\nIf-Range: Mon, 01 Jan 2024 03:04:05 GMT' },
  { head: 'GET /files/a.txt\r\nRange: bytes=0-3\r\nIf-Range: Tue, 02 Jan 2024 03:04:06 GMT' },
  { head: 'GET /files/a.txt\r\nRange: bytes=0-3\r\nIf-Range: {etag}' },
  { head: 'GET /files/a.txt\r\nRange: bytes=0-3\r\nIf-Range: "nope"' },
  { head: 'GET /files/a.txt\r\nRange: bytes=0-3\r\nIf-Range: W/{etag}' },
  // Paths that must not leave the root, or are not paths.
  { head: 'GET /files/a.txt%00' },
  { head: 'GET /files/a%00.txt' },
  { head: 'GET /files/a.txt%zz' },
  {
    head: 'GET /files/sub%2Fb.txt',
    differs: { ours: 403, nginx: 200, why: 'issue #6: an encoded separator is refused, never decoded into a path' },
  },
  {
    head: 'GET /files/sub/../a.txt',
    differs: { ours: 403, nginx: 200, why: 'issue #6: ".." is refused in any spelling rather than normalized' },
  },
  {
    head: 'GET /files/sub/%2e%2e/a.txt',
    differs: { ours: 403, nginx: 200, why: 'issue #6: ".." is refused in any spelling rather than normalized' },
  },
  {
    head: 'GET /files/../etc/passwd',
    differs: { ours: 403, nginx: 404, why: 'issue #6: ".." is refused (nginx normalizes it out of /files/)' },
  },
  {
    head: 'GET /files/sub%5cb.txt',
    differs: { ours: 403, nginx: 404, why: 'issue #6: backslashes are refused' },
  },
  {
    head: 'GET /files/ünï.txt',
    differs: {
      ours: 400,
      nginx: 200,
      why: "RFC 9112 §3.2: a request-target is ASCII; node's parser refuses raw bytes",
    },
  },
  {
    head: 'GET /files/a.txt#frag',
    differs: { ours: 404, nginx: 200, why: 'no client sends a fragment; "#" is taken as part of the name' },
  },
  // Methods.
  { head: 'POST /files/a.txt\r\nContent-Length: 0' },
  { head: 'PUT /files/a.txt\r\nContent-Length: 0' },
  { head: 'DELETE /files/a.txt' },
  { head: 'PROPFIND /files/a.txt' },
  { head: 'TRACE /files/a.txt' },
  {
    head: 'FROB /files/a.txt',
    differs: { ours: 501, nginx: 405, why: 'RFC 9110 §9.1: a method the server does not recognize → 501' },
  },
  {
    head: 'OPTIONS /files/a.txt',
    differs: { ours: 204, nginx: 405, why: 'issue #6: OPTIONS on a known path is 204 with Allow' },
  },
  {
    head: 'OPTIONS *',
    differs: { ours: 204, nginx: 400, why: 'RFC 9110 §9.3.7: OPTIONS * asks about the server; 204 with Allow' },
  },
  { head: 'GET *' },
  {
    head: 'CONNECT 127.0.0.1:1',
    differs: { ours: 501, nginx: 400, why: 'RFC 9110 §9.1: not a proxy, CONNECT is not implemented → 501' },
  },
  {
    head: 'POST /files/missing\r\nContent-Length: 0',
    differs: { ours: 405, nginx: 404, why: 'issue #6: a known route with a wrong method is 405 with Allow' },
  },
  // Request heads.
  { head: 'GET /files/a.txt HTTP/1.0\r\n\r\n', raw: true },
  { head: 'GET /files/a.txt HTTP/2.0\r\nHost: x\r\n\r\n', raw: true },
  { head: 'GET /files/a.txt HTTP/3.0\r\nHost: x\r\n\r\n', raw: true },
  {
    head: 'GET /files/a.txt HTTP/1.2\r\nHost: x\r\nConnection: close\r\n\r\n',
    raw: true,
    differs: { ours: 400, nginx: 200, why: "node's parser knows HTTP/1.0 and 1.1 only" },
  },
  { head: 'GET /files/a.txt HTTP/1.1\r\nConnection: close\r\n\r\n', raw: true },
  { head: 'GET /files/a.txt HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n', raw: true },
  { head: 'GET /files/a.txt HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n', raw: true },
  { head: 'GET /files/a.txt HTTP/1.1\r\nHost: a/b\r\nConnection: close\r\n\r\n', raw: true },
  { head: 'GET /files/a.txt HTTP/1.1\r\nHost: x\r\nHost: y\r\nConnection: close\r\n\r\n', raw: true },
  { head: 'GARBAGE\r\n\r\n', raw: true },
  { head: 'GET files/a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', raw: true },
  { head: 'GET /files/a.txt\r\nBad Header: 1' },
  { head: 'GET /files/a.txt\r\n Folded: 1' },
  { head: 'GET /files/a.txt\r\nContent-Length: abc' },
  { head: 'GET /files/a.txt\r\nContent-Length: 1\r\nContent-Length: 2' },
  {
    head: 'GET /files/a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n',
    raw: true,
  },
  { head: 'GET /files/a.txt\r\nExpect: 100-continue' },
  { head: 'GET /files/a.txt\r\nExpect: something-else' },
  { head: 'GET /files/a.txt\r\nConnection: Upgrade\r\nUpgrade: websocket' },
  { head: `GET /files/${'a'.repeat(2_000)}` },
  { head: `GET /files/${'a'.repeat(20_000)}` },
  { head: `GET /files/${'a'.repeat(70_000)}` },
  {
    head: `GET /files/${'a'.repeat(9_000)}`,
    differs: { ours: 404, nginx: 414, why: 'our limit on the request line is the head limit (16 KiB), nginx 8 KiB' },
  },
];

let suite: Suite;
let nginx: NginxReference;
/** Each server's ETag of /files/a.txt. */
const etags = new Map<number, string>();

interface Reply {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

/** A bound on one exchange: every request asks the server to close, so it never needs it. */
const EXCHANGE_BOUND_MS = 20_000;

/** Sends `bytes` on a new connection and collects everything until the server closes it. */
function exchange(port: number, bytes: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes, 'utf8'));
    socket.setTimeout(EXCHANGE_BOUND_MS, () => socket.destroy());
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' ? resolve(Buffer.concat(chunks)) : reject(err),
    );
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

/** The responses in `data`, in order, 1xx included (`head`: the requests were HEAD). */
function parseReplies(data: Buffer, head: boolean): Reply[] {
  const replies: Reply[] = [];
  let at = 0;
  while (at < data.length) {
    const end = data.indexOf('\r\n\r\n', at, 'latin1');
    if (end < 0) throw new Error(`incomplete head: ${JSON.stringify(data.subarray(at, at + 200).toString('latin1'))}`);
    const lines = data.subarray(at, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    at = end + 4;
    let body: Buffer = Buffer.alloc(0);
    const interim = status >= 100 && status < 200;
    if (!interim && !head && status !== 304 && status !== 204) {
      if (headers.get('transfer-encoding') === 'chunked') {
        const parts: Buffer[] = [];
        for (;;) {
          const lineEnd = data.indexOf('\r\n', at, 'latin1');
          const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
          at = lineEnd + 2;
          if (size === 0) {
            at = data.indexOf('\r\n', at, 'latin1') + 2;
            break;
          }
          parts.push(data.subarray(at, at + size));
          at += size + 2;
        }
        body = Buffer.concat(parts);
      } else {
        const length = headers.has('content-length') ? Number(headers.get('content-length')) : data.length - at;
        body = data.subarray(at, at + length);
        at += length;
      }
    }
    replies.push({ status, headers, body });
  }
  return replies;
}

function request(c: Case, port: number): string {
  const head = c.head.replace(/\{etag\}/g, etags.get(port) ?? '"?"');
  if (c.raw) return head;
  const [line, ...fields] = head.split('\r\n');
  const version = (line ?? '').split(' ').length === 2 ? `${line} HTTP/1.1` : line;
  return [version, 'Host: 127.0.0.1', ...fields, 'Connection: close', '', ''].join('\r\n');
}

async function ask(c: Case, port: number): Promise<Reply[]> {
  return parseReplies(await exchange(port, request(c, port)), c.head.startsWith('HEAD '));
}

function mediaType(r: Reply): string | undefined {
  return r.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
}

/** A Location as a path and query, whatever host and port it names. */
function locationPath(r: Reply): string | undefined {
  const location = r.headers.get('location');
  if (location === undefined) return undefined;
  const url = new URL(location, 'http://127.0.0.1/');
  return url.pathname + url.search;
}

/** Checks that `ours` means what `theirs` means. */
function expectSame(ours: Reply, theirs: Reply): void {
  expect(ours.status, 'status').toBe(theirs.status);
  const status = theirs.status;
  if (status === 301) expect(locationPath(ours), 'Location').toBe(locationPath(theirs));
  if (status === 416)
    expect(ours.headers.get('content-range'), 'Content-Range').toBe(theirs.headers.get('content-range'));
  if (status !== 200 && status !== 206 && status !== 304) return;
  for (const name of ['last-modified', 'content-range'])
    expect(ours.headers.get(name), name).toBe(theirs.headers.get(name));
  if (theirs.headers.has('etag')) expect(ours.headers.get('etag'), 'a strong ETag').toMatch(/^"[^"]*"$/);
  if (status === 304) return;
  if (status === 200)
    expect(ours.headers.get('accept-ranges'), 'Accept-Ranges').toBe(theirs.headers.get('accept-ranges'));
  expect(mediaType(ours), 'media type').toBe(mediaType(theirs));
  expect(ours.headers.get('content-length'), 'Content-Length').toBe(theirs.headers.get('content-length'));
  expect(ours.body.equals(theirs.body), 'body').toBe(true);
}

beforeAll(async () => {
  suite = await startSuite({ protocols: ['http'] });
  const root = path.join(suite.dataDir, 'files');
  for (const [name, content] of Object.entries(TREE)) {
    const file = path.join(root, name);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
  for (const name of [...Object.keys(TREE), 'sub/deeper', 'sub']) await fs.utimes(path.join(root, name), MTIME, MTIME);
  // nginx's worker runs as another user when the test runs as root: let it read the tree.
  for (
    let dir = root;
    dir !== path.dirname(dir) && dir.startsWith(path.dirname(suite.dataDir));
    dir = path.dirname(dir)
  )
    await fs.chmod(dir, 0o755);
  nginx = await startNginx(suite.dataDir);
  for (const port of [suite.http.port, nginx.port]) {
    const [reply] = await ask({ head: 'HEAD /files/a.txt' }, port);
    etags.set(port, reply?.headers.get('etag') ?? '');
  }
});

afterAll(async () => {
  await Promise.all([nginx?.close(), suite?.close()]);
});

describe('/files/ against nginx', () => {
  it.each(CASES.map((c) => [JSON.stringify(c.head.length > 120 ? `${c.head.slice(0, 60)}…` : c.head), c] as const))(
    '%s',
    async (_name, c) => {
      const [ours, theirs] = await Promise.all([ask(c, suite.http.port), ask(c, nginx.port)]);
      const mine = ours.filter((r) => r.status >= 200);
      const reference = theirs.filter((r) => r.status >= 200);
      expect(
        ours.map((r) => r.status),
        'interim responses',
      ).toEqual(expect.arrayContaining(theirs.filter((r) => r.status < 200).map((r) => r.status)));
      expect(mine.length, 'one final response').toBe(1);
      expect(reference.length).toBe(1);
      const [a, b] = [mine[0] as Reply, reference[0] as Reply];
      if (c.differs) {
        expect({ ours: a.status, nginx: b.status }, c.differs.why).toEqual({
          ours: c.differs.ours,
          nginx: c.differs.nginx,
        });
        return;
      }
      if (c.statusOnly) {
        expect(a.status, c.statusOnly).toBe(b.status);
        return;
      }
      expectSame(a, b);
    },
  );
});

describe('connections against nginx', () => {
  it.each([
    [
      'keep-alive and pipelining',
      'GET /files/a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /files/sub/b.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    ],
    [
      'HTTP/1.0 keep-alive',
      'GET /files/a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /files/sub/b.txt HTTP/1.0\r\n\r\n',
    ],
    ['bytes after HTTP/1.0 without keep-alive', 'GET /files/big.bin HTTP/1.0\r\n\r\nGET /files/a.txt HTTP/1.0\r\n\r\n'],
    [
      'bytes after Connection: close',
      'GET /files/big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /files/a.txt HTTP/1.1\r\nHost: x\r\n\r\n',
    ],
    [
      'a HEAD then a GET',
      'HEAD /files/big.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /files/a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    ],
  ])('%s', async (_name, bytes) => {
    const [ours, theirs] = await Promise.all([exchange(suite.http.port, bytes), exchange(nginx.port, bytes)]);
    const split = (data: Buffer) => (bytes.startsWith('HEAD') ? parseHeadThenGet(data) : parseReplies(data, false));
    const [a, b] = [split(ours), split(theirs)];
    expect(a.map((r) => r.status)).toEqual(b.map((r) => r.status));
    expect(a.map((r) => r.headers.get('connection'))).toEqual(b.map((r) => r.headers.get('connection')));
    for (let i = 0; i < a.length; i++)
      expect((a[i] as Reply).body.equals((b[i] as Reply).body), `body ${i}`).toBe(true);
  });
});

/** A HEAD's reply (no body whatever its Content-Length) followed by a GET's. */
function parseHeadThenGet(data: Buffer): Reply[] {
  const end = data.indexOf('\r\n\r\n', 0, 'latin1') + 4;
  return [...parseReplies(data.subarray(0, end), true), ...parseReplies(data.subarray(end), false)];
}
