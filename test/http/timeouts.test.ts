/**
 * The idle guard around responses: node clears a keep-alive socket's timeout when a request
 * starts, the server arms its own idle timeout only for responses not already handed to the kernel
 * in full. Both sides of that choice are tested: a client that stops reading a large response is
 * cut, and a connection served from the small-file cache is still closed once idle.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from '../helpers/raw-client.js';
import { startHttp, type TestHttp } from './helpers.js';

let http: TestHttp | undefined;
/** Resolves true once the server has no open connection left (polled), false after `timeoutMs`. */
async function serverDropsAll(service: TestHttp['service'], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.openConnections() === 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

afterEach(async () => {
  await http?.close();
  http = undefined;
});

describe('idle timeout around responses', () => {
  it('closes a keep-alive connection whose client stops reading a large response', async () => {
    http = await startHttp({ idleTimeoutMs: 300, keepAliveTimeoutMs: 60_000 });
    const client = await RawClient.connect(http.service.port);
    client.socket.pause(); // never read: the 10 MiB response stays stuck in the socket buffers
    client.send('GET /bytes/10485760 HTTP/1.1\r\nHost: x\r\n\r\n');
    // The client does not read, so it would not see the close: watch the server's side.
    await new Promise((r) => setTimeout(r, 100));
    expect(http.service.openConnections()).toBe(1);
    expect(await serverDropsAll(http.service, 10_000)).toBe(true);
    client.socket.destroy();
  });

  it('closes a connection left idle after plain GETs answered from the memory cache', async () => {
    http = await startHttp({ idleTimeoutMs: 60_000, keepAliveTimeoutMs: 300 });
    await fs.writeFile(path.join(http.files, 'a.txt'), 'hello');
    const client = await RawClient.connect(http.service.port);
    for (let i = 1; i <= 3; i++) {
      client.send('GET /files/a.txt HTTP/1.1\r\nHost: x\r\n\r\n');
      await client.waitFor(new RegExp(`(HTTP/1.1 200 OK[\\s\\S]*?hello){${i}}`));
      await new Promise((r) => setTimeout(r, 50)); // lets the cache fill after the first answer
    }
    expect(await client.closedWithin(10_000)).toBe(true);
  });

  it('cuts a stuck response that follows a fully written one on the same connection', async () => {
    http = await startHttp({ idleTimeoutMs: 300, keepAliveTimeoutMs: 60_000 });
    const client = await RawClient.connect(http.service.port);
    // A small answer written in full (no guard needed; node clears the socket timeout when the next
    // request starts), then a large one the client never reads: only the idle guard can cut it.
    client.send('GET /ip HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.waitFor(/HTTP\/1.1 200 OK[\s\S]*\}/);
    await new Promise((r) => setTimeout(r, 50));
    client.socket.pause();
    client.send('GET /bytes/10485760 HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 100));
    expect(http.service.openConnections()).toBe(1);
    expect(await serverDropsAll(http.service, 10_000)).toBe(true);
    client.socket.destroy();
  });
});
