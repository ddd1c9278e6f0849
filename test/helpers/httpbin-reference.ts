/**
 * The reference httpbin for differential tests: Debian's `python3-httpbin` (Flask's development
 * server) on a free 127.0.0.1 port, run with `/usr/bin/python3` (the Debian interpreter that has
 * the module), and a raw request helper that sends exactly the headers it is given.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';

export interface Reference {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts `python3 -m httpbin.core --port 0`; resolves when it prints the address it bound. */
export function startReferenceHttpbin(timeoutMs = 60_000): Promise<Reference> {
  const child: ChildProcess = spawn('/usr/bin/python3', ['-m', 'httpbin.core', '--host', '127.0.0.1', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`httpbin did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (!m) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      // Keep draining its output so the child never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      resolve({
        url: m[1] as string,
        close: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`httpbin exited with ${code}:\n${output}`)));
  });
}

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One request on its own connection, with only `Host` and the given headers. */
export function rawRequest(
  base: string,
  target: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: target,
        agent: false,
        headers: {
          ...options.headers,
          ...(options.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(options.body)) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
