/**
 * HTTP benchmark: a 12-byte static file through `/files` with the exchange log on, against a bare
 * `node:http` hello-world and nginx (one worker, like node's one thread) serving the same file,
 * side by side in the same run, with the same `wrk -c50` load.
 *
 * Ours is `minisuite start http` from the built `dist/` (as `npm run bench` builds first), exactly
 * as a user runs it: every request is an exchange record, counted by /metrics and printed as a
 * pretty timeline line on stderr, which goes to /dev/null here. Files are served from disk with
 * the server's normal freshness rules.
 *
 * Fairness: on a machine with two or more CPUs every server runs pinned to CPU 0 and wrk (one
 * thread) to CPU 1 with `taskset`, identically for the three, so the load tool does not steal the
 * server's CPU. Each server gets a warm-up, then rounds are interleaved (the order rotating each
 * round) and each server's median is kept, so a noisy machine disturbs all three alike. The CPU
 * share each server used during its runs is reported: near 100% means the server was the limit,
 * well below means the load tool or the machine was. Only 127.0.0.1 is targeted; every run is
 * bounded in time.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LOAD_CPU, SERVER_CPU, type WrkResult, wrk } from './http-load.js';
import type { BenchResult } from './report.js';
import { canPin, freePort, median, pinned, waitForPort } from './support.js';

/** wrk settings (the issue: -c50, bounded duration). */
const CONNECTIONS = 50;
const DURATION_S = 4;
const WARMUP_S = 2;
const ROUNDS = 5;
const FILE_BODY = 'hello world\n'; // 12 bytes

const HELLO_WORLD = `
const http = require('node:http');
const body = ${JSON.stringify(FILE_BODY)};
http.createServer((req, res) => res.end(body)).listen(0, '127.0.0.1', function () {
  process.stdout.write('http://127.0.0.1:' + this.address().port + '/\\n');
});`;
interface Started {
  readonly url: string;
  readonly child: ChildProcess;
}

/**
 * Starts a node process (pinned to `cpu` if given) and resolves with the first line it prints on
 * stdout. stderr is discarded (for ours: the exchange timeline, as `2>/dev/null` would).
 */
async function startNode(
  name: string,
  args: string[],
  cpu: number | undefined,
): Promise<{ line: string; child: ChildProcess }> {
  const [cmd, argv] = pinned(cpu, process.execPath, args);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'ignore'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl).trim());
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  return { line, child };
}

/** `minisuite start http` on a free port and `data`, with the file in place before it starts. */
async function startOurs(data: string, cpu: number | undefined): Promise<Started> {
  await fs.mkdir(path.join(data, 'files'), { recursive: true });
  await fs.writeFile(path.join(data, 'files', 'a.txt'), FILE_BODY);
  const main = new URL('../dist/cli/main.js', import.meta.url).pathname;
  const port = await freePort();
  const args = [main, 'start', 'http', '--http-port', String(port), '--data', data];
  const { line, child } = await startNode('minisuite', args, cpu);
  const m = /^http listening on (http:\/\/\S+)/.exec(line);
  if (!m) {
    child.kill('SIGTERM');
    throw new Error(`unexpected ready line: ${line}`);
  }
  return { url: `${m[1]}/files/a.txt`, child };
}

async function startHelloWorld(cpu: number | undefined): Promise<Started> {
  const { line, child } = await startNode('hello-world', ['-e', HELLO_WORLD], cpu);
  return { url: line, child };
}

/** nginx with a generated config in `prefix`: one worker, no daemon, logs off, the same file. */
async function startNginx(prefix: string, root: string, cpu: number | undefined): Promise<Started> {
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
  const [cmd, args] = pinned(cpu, 'nginx', ['-e', path.join(prefix, 'logs', 'error.log'), '-p', prefix, '-c', conf]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
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
    const pin = await canPin();
    const serverCpu = pin ? SERVER_CPU : undefined;
    const load = { threads: pin ? 1 : 2, connections: CONNECTIONS, cpu: pin ? LOAD_CPU : undefined };
    const data = path.join(prefix, 'data');
    const servers: Record<string, Started> = {};
    servers['ours'] = await startOurs(data, serverCpu);
    children.push(servers['ours'].child);
    servers['hello'] = await startHelloWorld(serverCpu);
    children.push(servers['hello'].child);
    try {
      servers['nginx'] = await startNginx(path.join(prefix, 'nginx'), path.join(data, 'files'), serverCpu);
      children.push(servers['nginx'].child);
    } catch (err) {
      console.error(`bench http: nginx not measured: ${err instanceof Error ? err.message : String(err)}`);
    }
    const ours = servers['ours'].url;
    for (const name of ['ours', 'nginx']) if (servers[name]) await assertServes(servers[name].url);
    const names = Object.keys(servers);
    const runOnce = (name: string, seconds: number) =>
      wrk(servers[name]?.url ?? '', { ...load, seconds, serverPid: servers[name]?.child.pid });
    // Warm-up (JIT, page cache, nginx's first accept) before the measured rounds.
    for (const name of names) await runOnce(name, WARMUP_S);
    const runs: Record<string, WrkResult[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (let round = 0; round < ROUNDS; round++)
      for (let k = 0; k < names.length; k++) {
        const name = names[(round + k) % names.length] as string;
        runs[name]?.push(await runOnce(name, DURATION_S));
      }
    const stats = (await (await fetch(ours.replace('/files/a.txt', '/metrics'))).text()).match(
      /^minisuite_exchanges_total\{protocol="http",side="server"\} (\d+)$/m,
    );
    if (!stats || Number(stats[1]) < 1000) throw new Error('the exchange log did not record the load');
    const rps = (name: string) => median((runs[name] ?? []).map((r) => r.rps));
    const p99 = (name: string) => median((runs[name] ?? []).map((r) => r.p99Ms));
    // CPU time per request does not depend on how much CPU a busy machine left the server.
    const cpu = (name: string) => {
      const list = runs[name] ?? [];
      const share = median(list.map((r) => r.serverCpu));
      const usPerRequest = median(list.map((r) => (r.serverCpu / r.rps) * 1e6));
      return `${Math.round(share * 100)}% CPU, ${usPerRequest.toFixed(1)} µs CPU/req`;
    };
    const rounds = (name: string) => (runs[name] ?? []).map((r) => Math.round(r.rps)).join('/');
    const detail = (name: string) =>
      `rounds ${rounds(name)}, ${cpu(name)}; p99 ${p99('ours').toFixed(2)} ms vs ${p99(name).toFixed(2)} ms`;
    const setup = pin
      ? `servers on CPU ${SERVER_CPU}, wrk -t1 on CPU ${LOAD_CPU}`
      : 'not pinned (taskset or a 2nd CPU missing)';
    const name = `GET 12-byte file via /files, wrk -c${CONNECTIONS} ${ROUNDS}×${DURATION_S}s, exchange log on (${setup})`;
    const results: BenchResult[] = [
      {
        name,
        ours: rps('ours'),
        peer: rps('hello'),
        peerName: 'node:http hello-world',
        unit: 'req/s',
        higherIsBetter: true,
        target: 0.7,
        notes: `ours rounds ${rounds('ours')}, ${cpu('ours')}; peer ${detail('hello')}`,
      },
    ];
    if (servers['nginx'])
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
