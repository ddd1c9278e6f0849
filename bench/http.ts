/**
 * HTTP benchmark: a 12-byte static file through `/files` (exchange log on: records go to the ring
 * and the metrics counters, as in every run) against, in the same run and with the same wrk load
 * (`wrk -t2 -c50`), a bare `node:http` hello-world and nginx (one worker, like node's one thread)
 * serving the same file. Each server runs in its own process; ours is the built `dist/` (as
 * `npm run bench` builds first) started through `startSuite`. Rounds are interleaved and each server's median is kept, so a noisy
 * machine disturbs all three alike. Only 127.0.0.1 is targeted; every run is bounded in time.
 * @module
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BenchResult } from './report.js';

const run = promisify(execFile);

/** wrk settings (the issue: -c50, bounded duration). */
const CONNECTIONS = 50;
const THREADS = 2;
const DURATION_S = 4;
const ROUNDS = 3;
const FILE_BODY = 'hello world\n'; // 12 bytes

const HELLO_WORLD = `
const http = require('node:http');
const body = ${JSON.stringify(FILE_BODY)};
http.createServer((req, res) => res.end(body)).listen(0, '127.0.0.1', function () {
  process.stdout.write('http://127.0.0.1:' + this.address().port + '/\\n');
});`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.once('error', reject);
  });
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface WrkResult {
  readonly rps: number;
  readonly p99Ms: number;
}

/** One bounded wrk run; refuses to report a run with errors or non-2xx answers. */
async function wrk(url: string, seconds = DURATION_S): Promise<WrkResult> {
  const { stdout } = await run(
    'wrk',
    [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '--timeout', '5s', url],
    { encoding: 'utf8', timeout: (seconds + 20) * 1000 },
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  if (!Number.isFinite(rps)) throw new Error(`cannot read wrk output:\n${stdout}`);
  if (/Non-2xx or 3xx responses/.test(stdout) || /Socket errors:.*(read|write|timeout) [1-9]/.test(stdout))
    throw new Error(`wrk saw errors against ${url}:\n${stdout}`);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)\b/.exec(stdout);
  const scale = p99?.[2] === 'us' ? 0.001 : p99?.[2] === 's' ? 1000 : 1;
  return { rps, p99Ms: p99 ? Number(p99[1]) * scale : Number.NaN };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Our server: the built package, one HTTP service with the exchange log on, the file in place. */
function oursScript(dataDir: string): string {
  const entry = new URL('../dist/index.js', import.meta.url).href;
  return `
import fs from 'node:fs/promises';
import path from 'node:path';
const { startSuite } = await import(${JSON.stringify(entry)});
const suite = await startSuite({ protocols: ['http'], data: ${JSON.stringify(dataDir)} });
await fs.writeFile(path.join(suite.http.filesRoot, 'a.txt'), ${JSON.stringify(FILE_BODY)});
process.on('SIGTERM', async () => {
  process.stderr.write('exchanges recorded: ' + suite.log.total + '\\n');
  await suite.close({ graceMs: 0 });
  process.exit(0);
});
process.stdout.write(suite.http.url + '/files/a.txt\\n');`;
}

/** Starts `node` on an inline script that prints its URL as the first line. */
async function startNode(name: string, args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  return { url, child };
}

/** nginx with a generated config in `prefix`: one worker, no daemon, logs off, the same file. */
async function startNginx(prefix: string, root: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  for (const d of ['logs', 'tmp']) await fs.mkdir(path.join(prefix, d), { recursive: true });
  const tmp = path.join(prefix, 'tmp');
  const conf = path.join(prefix, 'nginx.conf');
  await fs.writeFile(
    conf,
    `daemon off;
master_process off;
worker_processes 1;
pid ${path.join(prefix, 'nginx.pid')};
error_log ${path.join(prefix, 'logs', 'error.log')} crit;
events { worker_connections 1024; }
http {
  access_log off;
  types { text/plain txt; }
  default_type application/octet-stream;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:${port};
    location /files/ { alias ${root}/; }
  }
}
`,
  );
  const child = spawn('nginx', ['-e', path.join(prefix, 'logs', 'error.log'), '-p', prefix, '-c', conf], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`nginx exited with ${code}`))),
  );
  await Promise.race([waitForPort(port), exited]);
  return { url: `http://127.0.0.1:${port}/files/a.txt`, child };
}

async function assertServes(url: string): Promise<void> {
  const res = await fetch(url);
  const text = await res.text();
  if (res.status !== 200 || text !== FILE_BODY)
    throw new Error(`${url} answered ${res.status} ${JSON.stringify(text)}`);
}

export async function bench(): Promise<BenchResult[]> {
  const prefix = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-bench-http-'));
  const children: ChildProcess[] = [];
  try {
    const data = path.join(prefix, 'data');
    const root = path.join(data, 'files');
    const server = await startNode('minisuite', ['--input-type=module', '-e', oursScript(data)]);
    children.push(server.child);
    const ours = server.url;
    const hello = await startNode('hello-world', ['-e', HELLO_WORLD]);
    children.push(hello.child);
    let nginx: { url: string; child: ChildProcess } | undefined;
    try {
      nginx = await startNginx(path.join(prefix, 'nginx'), root);
      children.push(nginx.child);
    } catch (err) {
      console.error(`bench http: nginx not measured: ${err instanceof Error ? err.message : String(err)}`);
    }
    const targets: Record<string, string> = { ours, hello: hello.url, ...(nginx ? { nginx: nginx.url } : {}) };
    for (const url of [ours, ...(nginx ? [nginx.url] : [])]) await assertServes(url);
    // Warm-up (JIT, file cache) before the measured rounds.
    for (const url of Object.values(targets)) await wrk(url, 1);
    const runs: Record<string, WrkResult[]> = { ours: [], hello: [], nginx: [] };
    for (let round = 0; round < ROUNDS; round++)
      for (const [name, url] of Object.entries(targets)) runs[name]?.push(await wrk(url));
    const stats = (await (await fetch(ours.replace('/files/a.txt', '/metrics'))).text()).match(
      /^minisuite_exchanges_total\{protocol="http",side="server"\} (\d+)$/m,
    );
    if (!stats || Number(stats[1]) < 1000) throw new Error('the exchange log did not record the load');
    const rps = (name: string) => median((runs[name] ?? []).map((r) => r.rps));
    const p99 = (name: string) => median((runs[name] ?? []).map((r) => r.p99Ms));
    const detail = (name: string) =>
      `rounds ${(runs[name] ?? []).map((r) => Math.round(r.rps)).join('/')}; p99 ${p99('ours').toFixed(2)} ms vs ${p99(name).toFixed(2)} ms`;
    const name = `GET 12-byte file via /files, wrk -t${THREADS} -c${CONNECTIONS} ${ROUNDS}×${DURATION_S}s, exchange log on`;
    const results: BenchResult[] = [
      {
        name,
        ours: rps('ours'),
        peer: rps('hello'),
        peerName: 'node:http hello-world',
        unit: 'req/s',
        higherIsBetter: true,
        target: 0.7,
        notes: `ours ${(runs['ours'] ?? []).map((r) => Math.round(r.rps)).join('/')}; peer ${detail('hello')}`,
      },
    ];
    if (nginx)
      results.push({
        name,
        ours: rps('ours'),
        peer: rps('nginx'),
        peerName: 'nginx (1 worker)',
        unit: 'req/s',
        higherIsBetter: true,
        target: 0.5,
        notes: `peer ${detail('nginx')}`,
      });
    return results;
  } finally {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await fs.rm(prefix, { recursive: true, force: true });
  }
}
