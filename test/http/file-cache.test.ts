/**
 * The small-file cache on its own: what it answers with, and how often it asks the file system.
 * One stat vouches for a file for the rest of one event-loop pass (see file-cache.ts); the next
 * pass stats again and notices a change.
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SmallFileCache } from '../../protocols/http/file-cache.js';

const nextPass = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Written {
  status: number;
  headers: unknown;
  body: string | undefined;
}

/** The parts of a ServerResponse the cache uses: the headers `send` set, then writeHead/end. */
function fakeResponse(headers: Record<string, string>): { res: ServerResponse; written: Written[] } {
  const written: Written[] = [];
  const fake = {
    getRawHeaderNames: () => Object.keys(headers),
    getHeader: (name: string) => headers[name],
    writeHead(status: number, h: unknown) {
      written.push({ status, headers: h, body: undefined });
      return fake;
    },
    end(body?: string) {
      const last = written[written.length - 1];
      if (last) last.body = body;
    },
  };
  return { res: fake as unknown as ServerResponse, written };
}

const GET = { method: 'GET', headers: {} } as IncomingMessage;

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minisuite-file-cache-'));
  file = path.join(dir, 'a.txt');
  fs.writeFileSync(file, 'hello world\n');
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function cached(): Promise<SmallFileCache> {
  const cache = new SmallFileCache();
  const { res } = fakeResponse({ 'Content-Type': 'text/plain; charset=utf-8', ETag: 'W/"c-1"', Date: 'now' });
  await cache.remember(file, file, res, fs.statSync(file));
  expect(cache.size).toBe(1);
  return cache;
}

describe('SmallFileCache', () => {
  it('answers with the remembered headers (flat, without per-response ones) and body', async () => {
    const cache = await cached();
    await nextPass();
    const { res, written } = fakeResponse({});
    expect(cache.tryServe(file, GET, res)).toBe(true);
    expect(written).toEqual([
      {
        status: 200,
        headers: ['Content-Type', 'text/plain; charset=utf-8', 'ETag', 'W/"c-1"'],
        body: 'hello world\n',
      },
    ]);
  });

  it('stats a file once per event-loop pass however many requests it answers', async () => {
    const cache = await cached();
    await nextPass();
    const stat = vi.spyOn(fs, 'statSync');
    for (let i = 0; i < 5; i++) expect(cache.tryServe(file, GET, fakeResponse({}).res)).toBe(true);
    expect(stat).toHaveBeenCalledTimes(1);
    await nextPass();
    expect(cache.tryServe(file, GET, fakeResponse({}).res)).toBe(true);
    expect(stat).toHaveBeenCalledTimes(2);
  });

  it('notices a change of the same size in the next pass, and a removed file', async () => {
    const cache = await cached();
    expect(cache.tryServe(file, GET, fakeResponse({}).res)).toBe(true);
    await nextPass();
    fs.writeFileSync(file, 'HELLO WORLD\n');
    // The kernel stamps times from a coarse clock: a rewrite a few ms later can keep the mtime.
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(file, later, later);
    expect(cache.tryServe(file, GET, fakeResponse({}).res)).toBe(false);
    expect(cache.size).toBe(0);
    const again = await cached();
    await nextPass();
    fs.rmSync(file);
    expect(again.tryServe(file, GET, fakeResponse({}).res)).toBe(false);
  });
});
