/**
 * FTP benchmark: minisuite's server side by side with vsftpd (standalone, our own config in a
 * temp folder, anonymous read-only, 127.0.0.1 only), each measured with the same client:
 * - one 256 MiB RETR with curl to /dev/null (MiB/s, best of 7) — target ≥ 0.8× vsftpd;
 * - 200 small RETRs on one control connection with python ftplib (RETR/s, best of 7) — target ≥ 0.5×.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchResult } from './report.js';
import { freePort } from './support.js';

const VSFTPD = '/usr/sbin/vsftpd';
const BIG_BYTES = 256 * 1024 * 1024;
const SMALL_COUNT = 200;
const SMALL_BYTES = 1024;
const ROUNDS = 7;

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
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
async function bigRetr(port: number): Promise<number> {
  const r = await run('curl', [
    '-sS',
    '--max-time',
    '120',
    '-o',
    '/dev/null',
    '-w',
    '%{size_download} %{time_total}',
    `ftp://127.0.0.1:${port}/big.bin`,
  ]);
  const [size, seconds] = r.stdout.trim().split(' ').map(Number);
  if (r.code !== 0 || size !== BIG_BYTES || !seconds) throw new Error(`big RETR failed on port ${port}: ${r.stderr}`);
  return BIG_BYTES / 1024 / 1024 / seconds;
}

/**
 * RETR/s of 200 small downloads over one control connection with python's ftplib (PASV each,
 * login excluded). Not curl: curl 7.88 sometimes stalls 1 s before the data connection when the
 * EPSV reply arrives within its own send loop, which measures curl rather than the server.
 */
async function smallRetrs(port: number): Promise<number> {
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
  const r = await run('python3', ['-c', script]);
  const [seconds, got] = r.stdout.trim().split(' ').map(Number);
  if (r.code !== 0 || got !== SMALL_COUNT * SMALL_BYTES || !seconds)
    throw new Error(`small RETRs failed on port ${port}: ${r.stderr}`);
  return SMALL_COUNT / seconds;
}

/**
 * Best of {@link ROUNDS} for both servers, alternating ours and the peer's so that drifts in
 * machine speed (shared hosts) hit both alike.
 */
async function bestOfBoth(measure: (port: number) => Promise<number>, ours: number, peer: number) {
  const result = { ours: 0, peer: 0 };
  for (let i = 0; i < ROUNDS; i++) {
    result.ours = Math.max(result.ours, await measure(ours));
    result.peer = Math.max(result.peer, await measure(peer));
  }
  return result;
}

async function startVsftpd(dir: string, root: string): Promise<{ port: number; child: ChildProcess }> {
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
  const child = spawn(VSFTPD, [file], { stdio: ['ignore', 'ignore', 'pipe'] });
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
async function startOurs(dir: string): Promise<{ port: number; child: ChildProcess }> {
  const main = path.resolve('dist/cli/main.js');
  // A passive range like vsftpd's: with the default (any free port) every PASV makes the kernel
  // search the ephemeral range, slow when thousands of earlier data connections sit in TIME_WAIT.
  const args = ['start', 'ftp', '--ftp-port', '0', '--data', dir, '--ftp-pasv-ports', '41000-41999'];
  const child = spawn('node', [main, ...args], {
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
    const started = await startOurs(dir);
    server = started.child;
    const ours = started.port;
    const peer = await startVsftpd(dir, root);
    vsftpd = peer.child;
    // Warm-up (JIT, page cache) for both before anything is counted: steady state is compared.
    for (const port of [ours, peer.port]) {
      await bigRetr(port);
      await smallRetrs(port);
    }
    const big = await bestOfBoth(bigRetr, ours, peer.port);
    const small = await bestOfBoth(smallRetrs, ours, peer.port);
    return [
      {
        name: 'FTP 256 MiB RETR (curl → /dev/null)',
        ours: big.ours,
        peer: big.peer,
        peerName: 'vsftpd',
        unit: 'MiB/s',
        higherIsBetter: true,
        target: 0.8,
        notes: `best of ${ROUNDS}`,
      },
      {
        name: `FTP ${SMALL_COUNT} small RETRs, one connection (ftplib)`,
        ours: small.ours,
        peer: small.peer,
        peerName: 'vsftpd',
        unit: 'RETR/s',
        higherIsBetter: true,
        target: 0.5,
        notes: `${SMALL_BYTES} B files, PASV each, best of ${ROUNDS}`,
      },
    ];
  } finally {
    vsftpd?.kill('SIGTERM');
    server?.kill('SIGTERM');
    await fs.rm(dir, { recursive: true, force: true });
  }
}
