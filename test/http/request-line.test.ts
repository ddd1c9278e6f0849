/**
 * Request heads node's parser takes or refuses in ways a reference server (nginx, RFC 9110/9112)
 * answers more precisely: versions, unknown methods, Host, CONNECT, the asterisk form, long
 * targets, expectations, and bytes after a message that closes its connection. Every answer is
 * a JSON error with a record, and the server keeps serving.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RawClient } from '../helpers/raw-client.js';
import { rawRequest, startHttpEach, waitForRecord } from './helpers.js';

const http = startHttpEach();

/** Sends `request` on a fresh connection and returns everything received until the server closes it. */
async function untilClosed(request: string): Promise<string> {
  const client = await RawClient.connect(http.service.port);
  try {
    client.send(request);
    await client.closed;
    return client.text;
  } finally {
    client.destroy();
  }
}

function statuses(text: string): number[] {
  return [...text.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)].map((m) => Number(m[1]));
}

describe('request line', () => {
  it.each([
    ['HTTP/2.0 in a plain request line (node parses it)', 'GET /healthz HTTP/2.0', 505],
    ['a major version node refuses', 'GET /healthz HTTP/3.0', 505],
    ['HTTP/0.9 named in the line', 'GET /healthz HTTP/0.9', 505],
    ['a method node does not know', 'FROB /healthz HTTP/1.1', 501],
    ['a lower-case method (methods are case-sensitive)', 'get /healthz HTTP/1.1', 501],
    ['a target that is not absolute', 'GET healthz HTTP/1.1', 400],
    ['no request line at all', 'GARBAGE', 400],
  ])('%s: %s → %i, and the server goes on serving', async (_what, line, status) => {
    const reply = await rawRequest(http.service.port, `${line}\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(reply.status).toBe(status);
    expect(JSON.parse(reply.text.slice(reply.text.indexOf('\r\n\r\n') + 4))).toHaveProperty('error');
    await waitForRecord(http.log, new RegExp(`^${line.split(' ')[0]}\\b`));
    const next = await rawRequest(http.service.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(next.status).toBe(200);
  });

  it('answers a target longer than the head limit with 414, a long header field with 431', async () => {
    const long = 'a'.repeat(20 * 1024);
    expect((await rawRequest(http.service.port, `GET /files/${long} HTTP/1.1\r\nHost: x\r\n\r\n`)).status).toBe(414);
    const field = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: ${long}\r\n\r\n`;
    expect((await rawRequest(http.service.port, field)).status).toBe(431);
  });

  it('answers CONNECT with 501 (no proxy here) instead of dropping the connection', async () => {
    const text = await untilClosed('CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n');
    expect(statuses(text)).toEqual([501]);
    await waitForRecord(http.log, 'CONNECT example.test:443');
  });

  it('answers OPTIONS * with 204 and the methods of the server; GET * is 400', async () => {
    const options = await rawRequest(http.service.port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(options.status).toBe(204);
    expect(options.text).toMatch(/\r\nAllow: [A-Z, ]*\bGET\b[A-Z, ]*\bOPTIONS\b/);
    expect((await rawRequest(http.service.port, 'GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).status).toBe(
      400,
    );
  });
});

describe('Host (RFC 9112 §3.2)', () => {
  it.each([
    ['missing on HTTP/1.1', 400, 'GET /healthz HTTP/1.1\r\n'],
    ['empty', 400, 'GET /healthz HTTP/1.1\r\nHost:\r\n'],
    ['with a space', 400, 'GET /healthz HTTP/1.1\r\nHost: a b\r\n'],
    ['with a path', 400, 'GET /healthz HTTP/1.1\r\nHost: a/b\r\n'],
    ['with a port that is no number', 400, 'GET /healthz HTTP/1.1\r\nHost: a:b\r\n'],
    ['missing on HTTP/1.0', 200, 'GET /healthz HTTP/1.0\r\n'],
    ['an IPv6 literal and port', 200, 'GET /healthz HTTP/1.1\r\nHost: [::1]:8080\r\n'],
    ['a name and port', 200, 'GET /healthz HTTP/1.1\r\nHost: localhost:1\r\n'],
  ])('%s → %i', async (_what, status, head) => {
    const reply = await rawRequest(http.service.port, `${head}Connection: close\r\n\r\n`);
    expect(reply.status).toBe(status);
    expect(reply.text).toMatch(/\r\nContent-Type: application\/json/);
  });
});

describe('connection', () => {
  it('serves a request with an unknown expectation as nginx does (no bare 417)', async () => {
    const reply = await rawRequest(
      http.service.port,
      'GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nConnection: close\r\n\r\n',
    );
    expect(reply.status).toBe(200);
  });

  it('finishes the response in flight when more bytes follow a message that closes the connection', async () => {
    // Large enough to be read from disk (not the small-file cache): the response is in flight
    // while the parser meets the second request.
    await fs.mkdir(http.files, { recursive: true });
    await fs.writeFile(path.join(http.files, 'big.bin'), Buffer.alloc(300_000, 7));
    for (const first of [
      'GET /files/big.bin HTTP/1.0\r\n\r\n',
      'GET /files/big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    ]) {
      const text = await untilClosed(`${first}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(statuses(text)).toEqual([200]);
      expect(text).toMatch(/\r\nContent-Length: 300000\r\n/);
      expect(text.length - text.indexOf('\r\n\r\n') - 4).toBe(300_000);
    }
  });
});
