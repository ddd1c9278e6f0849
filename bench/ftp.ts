/**
 * FTP benchmark: minisuite's server side by side with vsftpd (standalone, our own config in a
 * temp folder, anonymous read-only, 127.0.0.1 only), each measured with the same client:
 * - one 256 MiB RETR with curl to /dev/null (MiB/s) — target ≥ 0.8× vsftpd;
 * - 200 small RETRs on one control connection with python ftplib (RETR/s) — target ≥ 0.5×.
 * With two or more CPUs both servers are pinned to the same CPU and the clients to another
 * (`taskset`, as the HTTP and DNS benches do), so client and server never compete. Rounds
 * alternate ours/peer, peer/ours... and the verdict compares MEDIANS (best-of is in the notes).
 * Each server's CPU time per MiB (from /proc, vsftpd's forked session processes included) is a
 * cross-check that does not depend on what else the machine runs. vsftpd sends with sendfile(2)
 * (one in-kernel copy); Node reads the file into a buffer and then writes it to the socket.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run, settledCpuSeconds } from './ftp-support.js';
import { LOAD_CPU, SERVER_CPU } from './http-load.js';
import type { BenchResult } from './report.js';
import { canPin, freePort, median, pinned } from './support.js';

const VSFTPD = '/usr/sbin/vsftpd';
const BIG_BYTES = 256 * 1024 * 1024;
const SMALL_COUNT = 200;
const SMALL_BYTES = 1024;
const ROUNDS = 7;

/** CPUs of the servers and of the clients; undefined when not pinned. */
interface Cpus {
  readonly server: number | undefined;
  readonly client: number | undefined;
}

async function makeFiles(root: string): Promise<void> {
  await fs.mkdir(path.join(root, 'small'), { recursive: true });
  const chunk = Buffer.alloc(4 * 1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
  const handle = await fs.open(path.join(root, 'big.bin'), 'w');
  for (let written = 0; written < BIG_BYTES; written += chunk.length) await handle.write(chunk);
  await handle.close();
  await Promise.all(
    Array.from({ length: SMALL_COUNT }, (_, i) =>
      fs.writeFile(path.join(root, 'small', `f${i}.txt`), chunk.subarray(0, SMALL_BYTES)),
    ),
  );
}

/** MiB/s of one 256 MiB download with curl to /dev/null. */
async function bigRetr(cpus: Cpus, port: number): Promise<number> {
  const r = await run(
    ...pinned(cpus.client, 'curl', [
      '-sS',
      '--max-time',
      '120',
      '-o',
      '/dev/null',
      '-w',
      '%{size_download} %{time_total}',
      `ftp://127.0.0.1:${port}/big.bin`,
    ]),
  );
  const [size, seconds] = r.stdout.trim().split(' ').map(Number);
  if (r.code !== 0 || size !== BIG_BYTES || !seconds) throw new Error(`big RETR failed on port ${port}: ${r.stderr}`);
  return BIG_BYTES / 1024 / 1024 / seconds;
}

/**
 * RETR/s of 200 small downloads over one control connection with python's ftplib (PASV each,
 * login excluded). Not curl: curl 7.88 sometimes stalls 1 s before the data connection when the
 * EPSV reply arrives within its own send loop, which measures curl rather than the server.
 */
async function smallRetrs(cpus: Cpus, port: number): Promise<number> {
  const script = [
    'import ftplib, time',
    `f = ftplib.FTP()`,
    `f.connect('127.0.0.1', ${port}, timeout=30)`,
    'f.login()',
    "f.cwd('small')",
    'got = 0',
    'def sink(b):',
    '    global got',
    '    got += len(b)',
    't0 = time.perf_counter()',
    `for i in range(${SMALL_COUNT}):`,
    "    f.retrbinary('RETR f%d.txt' % i, sink)",
    'print(time.perf_counter() - t0, got)',
    'f.quit()',
  ].join('\n');
  const r = await run(...pinned(cpus.client, 'python3', ['-c', script]));
  const [seconds, got] = r.stdout.trim().split(' ').map(Number);
  if (r.code !== 0 || got !== SMALL_COUNT * SMALL_BYTES || !seconds)
    throw new Error(`small RETRs failed on port ${port}: ${r.stderr}`);
  return SMALL_COUNT / seconds;
}

interface Server {
  readonly port: number;
  readonly pid: number | undefined;
}

interface Rounds {
  /** The measure of each round (MiB/s, RETR/s). */
  readonly values: number[];
  /** The server's CPU seconds per MiB sent in each round. */
  readonly cpuPerMiB: number[];
}

/**
 * {@link ROUNDS} rounds for both servers, ours/peer then peer/ours..., so that drifts in machine
 * speed (shared hosts) hit both alike; each with the server's CPU time per MiB it sent.
 */
async function rounds(
  measure: (cpus: Cpus, port: number) => Promise<number>,
  mibPerRun: number,
  cpus: Cpus,
  servers: readonly [Server, Server],
): Promise<[Rounds, Rounds]> {
  const results: [Rounds, Rounds] = [
    { values: [], cpuPerMiB: [] },
    { values: [], cpuPerMiB: [] },
  ];
  for (let r = 0; r < ROUNDS; r++)
    for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
      const server = servers[i] as Server;
      const result = results[i] as Rounds;
      const cpu0 = await settledCpuSeconds(server.pid);
      result.values.push(await measure(cpus, server.port));
      result.cpuPerMiB.push(((await settledCpuSeconds(server.pid)) - cpu0) / mibPerRun);
    }
  return results;
}

async function pinning(): Promise<Cpus> {
  if (process.env['MINISUITE_BENCH_PIN'] === '0' || !(await canPin())) return { server: undefined, client: undefined };
  return { server: SERVER_CPU, client: LOAD_CPU };
}

async function startVsftpd(cpus: Cpus, dir: string, root: string): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const empty = path.join(dir, 'empty');
  await fs.mkdir(empty, { recursive: true });
  const config = [
    'listen=YES',
    'listen_ipv6=NO',
    'listen_address=127.0.0.1',
    `listen_port=${port}`,
    'anonymous_enable=YES',
    'local_enable=NO',
    'write_enable=NO',
    `anon_root=${root}`,
    'no_anon_password=YES',
    'pasv_enable=YES',
    'pasv_min_port=40000',
    'pasv_max_port=40999',
    'seccomp_sandbox=NO',
    `secure_chroot_dir=${empty}`,
    'background=NO',
    'xferlog_enable=NO',
    'use_sendfile=YES',
    // Without a root launch (or without the `ftp` user) vsftpd needs this to start at all.
    ...(process.getuid?.() === 0 ? [] : ['run_as_launching_user=YES']),
  ].join('\n');
  const file = path.join(dir, 'vsftpd.conf');
  await fs.writeFile(file, `${config}\n`);
  const child = spawn(...pinned(cpus.server, VSFTPD, [file]), { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  for (let i = 0; i < 50; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return { port, child };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`vsftpd did not start: ${err.trim() || 'no output'}`);
}

/**
 * Starts `minisuite start ftp` from the build (`npm run bench` builds first) as its own process,
 * as vsftpd is; its timeline goes to /dev/null. Resolves with the control port.
 */
async function startOurs(cpus: Cpus, dir: string): Promise<{ port: number; child: ChildProcess }> {
  const main = path.resolve('dist/cli/main.js');
  // A passive range like vsftpd's: with the default (any free port) every PASV makes the kernel
  // search the ephemeral range, slow when thousands of earlier data connections sit in TIME_WAIT.
  const args = ['start', 'ftp', '--ftp-port', '0', '--data', dir, '--ftp-pasv-ports', '41000-41999'];
  // taskset execs node: the pid is the server's.
  const child = spawn(...pinned(cpus.server, 'node', [main, ...args]), {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /ftp listening on ftp:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`minisuite start ftp exited with ${code} (did npm run build run?)`)));
  });
  return { port, child };
}

export async function bench(): Promise<BenchResult[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-bench-ftp-'));
  await fs.chmod(dir, 0o755);
  const root = path.join(dir, 'files');
  let server: ChildProcess | undefined;
  let vsftpd: ChildProcess | undefined;
  try {
    await fs.mkdir(root, { recursive: true });
    await makeFiles(root);
    const cpus = await pinning();
    const load = os.loadavg()[0] ?? 0;
    const started = await startOurs(cpus, dir);
    server = started.child;
    const peer = await startVsftpd(cpus, dir, root);
    vsftpd = peer.child;
    const servers = [
      { port: started.port, pid: server.pid },
      { port: peer.port, pid: vsftpd.pid },
    ] as const;
    // Warm-up (JIT, page cache) for both before anything is counted: steady state is compared.
    for (const s of servers) {
      await bigRetr(cpus, s.port);
      await smallRetrs(cpus, s.port);
    }
    const [bigOurs, bigPeer] = await rounds(bigRetr, BIG_BYTES / 1024 / 1024, cpus, servers);
    const smallMiB = (SMALL_COUNT * SMALL_BYTES) / 1024 / 1024;
    const [smallOurs, smallPeer] = await rounds(smallRetrs, smallMiB, cpus, servers);
    const where =
      cpus.server === undefined ? 'not pinned' : `servers on CPU ${cpus.server}, clients on CPU ${cpus.client}`;
    const machine = `${where}; load average ${load.toFixed(1)} on ${os.availableParallelism()} CPUs at the start`;
    const fmt = (v: number[], digits = 0) => v.map((x) => x.toFixed(digits)).join('/');
    const best = (v: number[]) => Math.round(Math.max(...v));
    const ms = (v: number[]) =>
      fmt(
        v.map((x) => x * 1000),
        2,
      );
    return [
      {
        name: `FTP 256 MiB RETR (curl → /dev/null), median of ${ROUNDS}`,
        ours: median(bigOurs.values),
        peer: median(bigPeer.values),
        peerName: 'vsftpd',
        unit: 'MiB/s',
        higherIsBetter: true,
        target: 0.8,
        notes: `rounds ${fmt(bigOurs.values)} vs ${fmt(bigPeer.values)}; best ${best(bigOurs.values)} vs ${best(bigPeer.values)}; ${machine}`,
      },
      {
        name: 'FTP server CPU per MiB of the 256 MiB RETRs (/proc user+system)',
        ours: median(bigOurs.cpuPerMiB) * 1000,
        peer: median(bigPeer.cpuPerMiB) * 1000,
        peerName: 'vsftpd (sendfile)',
        unit: 'ms/MiB',
        higherIsBetter: false,
        notes: `rounds ${ms(bigOurs.cpuPerMiB)} vs ${ms(bigPeer.cpuPerMiB)} ms; 10 ms ticks, so ±${((0.01 / (BIG_BYTES / 1024 / 1024)) * 1000).toFixed(2)} ms/MiB; vsftpd's is a floor (forked sessions, and with sendfile the reader pays the copy)`,
      },
      {
        name: `FTP ${SMALL_COUNT} small RETRs, one connection (ftplib), median of ${ROUNDS}`,
        ours: median(smallOurs.values),
        peer: median(smallPeer.values),
        peerName: 'vsftpd',
        unit: 'RETR/s',
        higherIsBetter: true,
        target: 0.5,
        notes: `${SMALL_BYTES} B files, PASV each; rounds ${fmt(smallOurs.values)} vs ${fmt(smallPeer.values)}; best ${best(smallOurs.values)} vs ${best(smallPeer.values)}; server CPU per RETR ${((median(smallOurs.cpuPerMiB) * smallMiB * 1e6) / SMALL_COUNT).toFixed(0)} vs ${((median(smallPeer.cpuPerMiB) * smallMiB * 1e6) / SMALL_COUNT).toFixed(0)} µs`,
      },
    ];
  } finally {
    vsftpd?.kill('SIGTERM');
    server?.kill('SIGTERM');
    await fs.rm(dir, { recursive: true, force: true });
  }
}
