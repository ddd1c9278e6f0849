/**
 * A folder swapped for a symlink to the outside between the sandbox's real-path check and the
 * moment the file is opened. The swap is made deterministic by doing it inside `fs.open`, just
 * before the real open runs: the server must notice on the descriptor and send none of the file.
 */
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isInside, isStillInside, openedPath } from '../../protocols/http/path-sandbox.js';
import { startHttp, type TestHttp, waitForRecord } from './helpers.js';

const SECRET = 'OUTSIDE-the-root-do-not-serve';

let http: TestHttp;
let outside: string;
beforeAll(async () => {
  http = await startHttp();
  await fs.mkdir(path.join(http.files, 'dir'), { recursive: true });
  await fs.writeFile(path.join(http.files, 'dir', 'note.txt'), 'inside the root');
  outside = path.join(http.dataDir, 'outside');
  await fs.mkdir(path.join(outside, 'dir'), { recursive: true });
  await fs.writeFile(path.join(outside, 'dir', 'note.txt'), SECRET);
  await fs.mkdir(path.join(http.files, 'listed'));
  await fs.writeFile(path.join(http.files, 'listed', 'public.txt'), 'fine');
  await fs.mkdir(path.join(outside, 'listed'));
  await fs.writeFile(path.join(outside, 'listed', 'secret-name.txt'), SECRET);
});
afterAll(() => http.close());
afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * Makes `method` of node's fs (as send calls it, by name) swap the root's folder `name` for a
 * symlink to the outside folder of that name, just before it runs for `name/note.txt`.
 * Returns a function telling whether the swap happened.
 */
function swapBefore(method: 'open' | 'stat', name: string): () => boolean {
  const dir = path.join(http.files, name);
  const real = fsSync[method] as (...args: unknown[]) => void;
  let swapped = false;
  vi.spyOn(fsSync, method).mockImplementation(((file: fsSync.PathLike, ...rest: unknown[]) => {
    if (!swapped && String(file).endsWith(`${path.sep}${name}${path.sep}note.txt`)) {
      swapped = true;
      fsSync.renameSync(dir, `${dir}-before`);
      fsSync.symlinkSync(path.join(outside, name), dir);
    }
    return real(file, ...rest);
  }) as never);
  return () => swapped;
}

/** Sends one raw request and resolves with everything received until the server closes. */
async function rawExchange(request: string): Promise<string> {
  const socket = net.connect(http.service.port, '127.0.0.1');
  let received = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(request);
  await closed;
  return received;
}

describe('openedPath', () => {
  it('names the file a descriptor really refers to, through any symlink', async () => {
    const link = path.join(http.files, 'link-out');
    await fs.symlink(path.join(outside, 'dir'), link);
    try {
      const inside = fsSync.openSync(path.join(http.files, 'dir', 'note.txt'), 'r');
      const through = fsSync.openSync(path.join(link, 'note.txt'), 'r');
      try {
        const root = await fs.realpath(http.files);
        expect(openedPath(inside)).toBe(path.join(root, 'dir', 'note.txt'));
        expect(isInside(root, openedPath(inside) ?? '')).toBe(true);
        expect(openedPath(through)).toBe(path.join(await fs.realpath(outside), 'dir', 'note.txt'));
        expect(isInside(root, openedPath(through) ?? '')).toBe(false);
      } finally {
        fsSync.closeSync(inside);
        fsSync.closeSync(through);
      }
    } finally {
      await fs.rm(link);
    }
  });
});

describe('/files when a folder becomes a symlink between the check and the open', () => {
  it('sends none of the outside file and records the refusal', async () => {
    const swapped = swapBefore('open', 'dir');
    const received = await rawExchange('GET /files/dir/note.txt HTTP/1.1\r\nHost: x\r\n\r\n');

    expect(swapped()).toBe(true);
    // send had sized the answer from the inside file: any leak would be a prefix of the secret.
    expect(received).not.toContain(SECRET.slice(0, 7));
    const record = await waitForRecord(http.log, 'GET /files/dir/note.txt');
    expect(record.response).toBe('200 OK (file left the root while being opened) (aborted)');
    expect(record.ok).toBe(false);
  });
});

describe('isStillInside', () => {
  it('is true for a file inside, false through a symlink to the outside or for a missing file', async () => {
    const root = await fs.realpath(http.files);
    await fs.mkdir(path.join(http.files, 'stat-check'));
    await fs.writeFile(path.join(http.files, 'stat-check', 'a.txt'), 'inside');
    await fs.symlink(path.join(outside, 'dir'), path.join(http.files, 'stat-check', 'out'));
    expect(isStillInside(root, path.join(http.files, 'stat-check', 'a.txt'))).toBe(true);
    expect(isStillInside(root, path.join(http.files, 'stat-check', 'out', 'note.txt'))).toBe(false);
    expect(isStillInside(root, path.join(http.files, 'stat-check', 'missing.txt'))).toBe(false);
  });
});

describe('HEAD /files when a folder becomes a symlink between the check and the stat', () => {
  it('sends no header of the outside file and records the refusal', async () => {
    await fs.mkdir(path.join(http.files, 'headdir'));
    await fs.writeFile(path.join(http.files, 'headdir', 'note.txt'), 'inside the root');
    await fs.mkdir(path.join(outside, 'headdir'));
    await fs.writeFile(path.join(outside, 'headdir', 'note.txt'), SECRET);
    const old = new Date('2001-02-03T04:05:06Z');
    await fs.utimes(path.join(outside, 'headdir', 'note.txt'), old, old);
    // send stats the file by name (a HEAD never opens it): the swap comes just before.
    const swapped = swapBefore('stat', 'headdir');
    const received = await rawExchange('HEAD /files/headdir/note.txt HTTP/1.1\r\nHost: x\r\n\r\n');

    expect(swapped()).toBe(true);
    expect(received).not.toMatch(/Content-Length: 29/i);
    expect(received).not.toContain('2001');
    const record = await waitForRecord(http.log, 'HEAD /files/headdir/note.txt');
    expect(record.response).toBe('200 OK (file left the root before its headers were sent) (aborted)');
    expect(record.ok).toBe(false);
  });
});

describe('/files/ listings when the folder becomes a symlink between the check and the open', () => {
  it('refuses with 403 and lists nothing of the outside folder', async () => {
    const dir = path.join(http.files, 'listed');
    const open = fs.open;
    let swapped = false;
    vi.spyOn(fs, 'open').mockImplementation(async (file, ...rest) => {
      if (!swapped && String(file).endsWith(`${path.sep}listed`)) {
        swapped = true;
        await fs.rename(dir, `${dir}-before`);
        await fs.symlink(path.join(outside, 'listed'), dir);
      }
      return open(file, ...rest);
    });
    const res = await fetch(`${http.url}/files/listed/`, { headers: { Accept: 'application/json' } });
    const body = await res.text();
    expect(swapped).toBe(true);
    expect(res.status).toBe(403);
    expect(body).not.toContain('secret-name');
    expect(JSON.parse(body)).toEqual({ error: 'path leaves the root' });
  });

  it('still lists a folder nobody swaps, read through its descriptor', async () => {
    const res = await fetch(`${http.url}/files/`, { headers: { Accept: 'application/json' } });
    expect(res.status).toBe(200);
    const listing = (await res.json()) as { entries: { name: string; type: string }[] };
    expect(listing.entries.map((e) => e.name)).toContain('listed-before');
    expect(listing.entries.find((e) => e.name === 'listed-before')?.type).toBe('directory');
  });
});
