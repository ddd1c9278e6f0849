import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';

// Runs the built CLI (npm test builds first).
const cli = (...args: string[]) => runCli(args);

let dir: string;
let server: CliProcess;
let url: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-http-cli-'));
  await fs.mkdir(path.join(dir, 'data', 'files'), { recursive: true });
  await fs.writeFile(path.join(dir, 'data', 'files', 'a.txt'), 'hello world\n');
  server = new CliProcess(['start', 'http', '--http-port', '0', '--data', path.join(dir, 'data')]);
  const [, ready] = await server.waitForStdout(/^http listening on (http:\/\/127\.0\.0\.1:\d+)$/m);
  url = ready ?? '';
});

afterAll(async () => {
  server.kill('SIGKILL');
  await fs.rm(dir, { recursive: true, force: true });
});

describe('minisuite http (client CLI) against minisuite start http', () => {
  it('get prints the payload on stdout and the exchange on stderr', async () => {
    const r = await cli('http', 'get', `${url}/files/a.txt`);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('hello world\n');
    expect(r.stderr).toMatch(/http\s+client\s+127\.0\.0\.1:\d+\s+GET \/files\/a\.txt\s+→ 200 OK/);
  });

  it('get -o writes the file (and no .part is left)', async () => {
    const out = path.join(dir, 'out.txt');
    const r = await cli('http', 'get', `${url}/files/a.txt`, '-o', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(await fs.readFile(out, 'utf8')).toBe('hello world\n');
    await expect(fs.access(`${out}.part`)).rejects.toThrow();
  });

  it('request sends --data TEXT and --data @FILE with headers', async () => {
    const text = await cli('http', 'request', 'POST', `${url}/echo`, '--data', 'ping', '-H', 'X-Test: yes');
    expect(text.code).toBe(0);
    expect(JSON.parse(text.stdout)).toMatchObject({ method: 'POST', body: 'ping', headers: { 'x-test': 'yes' } });
    const file = path.join(dir, 'body.bin');
    await fs.writeFile(file, Buffer.from([0xff, 0x00]));
    const bin = await cli('http', 'request', 'put', `${url}/echo`, '--data', `@${file}`);
    expect(JSON.parse(bin.stdout)).toMatchObject({ method: 'PUT', bodyBase64: '/wA=' });
  });

  it('exits 1 with the status on an HTTP error, writing nothing to stdout or -o', async () => {
    const out = path.join(dir, 'missing.txt');
    const r = await cli('http', 'get', `${url}/files/nope.txt`, '-o', out);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/minisuite http: HTTP 404 Not Found: \{"error":"no such file"\}/);
    await expect(fs.access(out)).rejects.toThrow();
  });

  it('exits 1 with a clear message when nothing listens', async () => {
    const port = await freePort();
    const r = await cli('http', 'get', `http://127.0.0.1:${port}/`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`minisuite http: GET http://127.0.0.1:${port}/: connection refused`);
  });

  it('refuses CR/LF/NUL in headers and bad usage with exit 2', async () => {
    const injected = await cli('http', 'get', `${url}/ip`, '-H', 'X-A: 1\r\nX-Injected: 2');
    expect(injected.code).toBe(2);
    expect(injected.stderr).toMatch(/must not contain CR, LF or NUL/);
    expect((await cli('http', 'get')).code).toBe(2);
    expect((await cli('http', 'fetch', url)).code).toBe(2);
    expect((await cli('http', 'request', 'BAD METHOD', url)).code).toBe(2);
    expect((await cli('http', 'get', 'ftp://127.0.0.1/')).code).toBe(2);
  });

  it('the server stops on SIGTERM with exit code 0', async () => {
    server.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});
