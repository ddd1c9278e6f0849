/**
 * SMTP benchmark: our server (durable Maildir storage, exchange log on) side by side with
 * Postfix's `smtp-sink` (stores nothing), both driven by Postfix's `smtp-source` with 10 KiB
 * messages from 20 parallel sessions, persistent (`-d`) and one connection per message.
 *
 * Fairness: both servers run in their own process (ours is the built `dist/` CLI, as
 * `npm run bench` builds first), pinned with `taskset` to the same CPU, and smtp-source to
 * another one, so the load generator never steals the server's CPU. Each server is warmed up,
 * then the rounds are interleaved (the order alternates) and each server's median is kept, so a
 * noisy machine disturbs both alike. Our data folder is on a real disk (`MINISUITE_BENCH_DATA`,
 * default the OS temp folder; tmpfs is refused) and every message is checked to be stored. The
 * report gives the cost of creating a file there, measured just before (see probeFileCreation):
 * on some file systems it swings tenfold with recent deletions, and every message is a new file.
 * Bounded: a fixed message count per run, 127.0.0.1 only.
 * @module
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BenchResult } from './report.js';
import { type CpuPlan, describeFilesystem, planCpus, probeFileCreation } from './smtp-support.js';
import { freePort, median, waitForPort } from './support.js';

const run = promisify(execFile);

const SMTP_SINK = '/usr/sbin/smtp-sink';
const SMTP_SOURCE = '/usr/sbin/smtp-source';
const MAIN = path.resolve(import.meta.dirname, '../dist/cli/main.js');
/** Messages per measured run, sessions in parallel, message size, interleaved rounds. */
const MESSAGES = 2000;
const SESSIONS = 20;
const MESSAGE_BYTES = 10 * 1024;
const ROUNDS = 5;
const WARMUP_MESSAGES = 500;
const RUN_TIMEOUT_MS = 120_000;

interface Server {
  readonly name: 'ours' | 'sink';
  readonly port: number;
  readonly child: ChildProcess;
}

/** Runs smtp-source once; resolves with messages per second. */
async function source(cpus: CpuPlan, port: number, messages: number, persistent: boolean): Promise<number> {
  const args = ['-s', String(SESSIONS), '-m', String(messages), '-l', String(MESSAGE_BYTES)];
  if (persistent) args.push('-d');
  args.push(`127.0.0.1:${port}`);
  const [file, argv] = cpus.pin('source', SMTP_SOURCE, args);
  const t0 = performance.now();
  await run(file, argv, { timeout: RUN_TIMEOUT_MS });
  return messages / ((performance.now() - t0) / 1000);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 8_000).unref();
  });
}

async function startSink(cpus: CpuPlan): Promise<Server> {
  const port = await freePort();
  // As root, smtp-sink must drop privileges after binding (-u).
  const user = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
  const [file, argv] = cpus.pin('server', SMTP_SINK, [...user, `127.0.0.1:${port}`, '256']);
  const child = spawn(file, argv, { stdio: 'ignore' });
  await waitForPort(port);
  return { name: 'sink', port, child };
}

async function startOurs(cpus: CpuPlan, data: string): Promise<Server> {
  const [file, argv] = cpus.pin('server', process.execPath, [
    MAIN,
    'start',
    'smtp',
    '--smtp-port',
    '0',
    '--data',
    data,
  ]);
  // The exchange timeline is still formatted and written (to /dev/null), as in real use.
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      out += d;
      const m = /^smtp listening on smtp:\/\/127\.0\.0\.1:(\d+)$/m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`minisuite exited (${code}) before its ready line`)));
  });
  child.stdout?.removeAllListeners('data');
  child.stdout?.resume();
  return { name: 'ours', port, child };
}

export async function bench(): Promise<BenchResult[]> {
  for (const tool of [SMTP_SINK, SMTP_SOURCE, MAIN])
    await fs.access(tool).catch(() => {
      throw new Error(`${tool} is missing (postfix for smtp-sink/smtp-source; npm run build for minisuite)`);
    });
  const parent = process.env['MINISUITE_BENCH_DATA'] ?? os.tmpdir();
  const filesystem = await describeFilesystem(parent);
  if (filesystem === 'tmpfs' || filesystem === 'ramfs')
    throw new Error(`${parent} is on ${filesystem}: set MINISUITE_BENCH_DATA to a folder on a real disk`);
  const data = await fs.mkdtemp(path.join(parent, 'minisuite-bench-smtp-'));
  const createUs = await probeFileCreation(data);
  const cpus = await planCpus();
  const sink = await startSink(cpus);
  const ours = await startOurs(cpus, data);
  try {
    const results: BenchResult[] = [];
    const modes = [
      { persistent: true, name: `SMTP msgs/s, persistent sessions (-d -s ${SESSIONS}, 10 KiB, durable)`, target: 0.25 },
      { persistent: false, name: `SMTP msgs/s, connection per message (-s ${SESSIONS}, 10 KiB, durable)`, target: 0.5 },
    ];
    let expected = 0;
    for (const mode of modes) {
      for (const server of [sink, ours]) await source(cpus, server.port, WARMUP_MESSAGES, mode.persistent);
      expected += WARMUP_MESSAGES;
      const rates: Record<Server['name'], number[]> = { ours: [], sink: [] };
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate who goes first, so a drift in machine load favours neither.
        const order = round % 2 === 0 ? [sink, ours] : [ours, sink];
        for (const server of order) rates[server.name].push(await source(cpus, server.port, MESSAGES, mode.persistent));
        expected += MESSAGES;
      }
      const stored = (await fs.readdir(path.join(data, 'mail', 'new'))).length;
      if (stored !== expected) throw new Error(`stored ${stored} messages, expected ${expected}`);
      const list = (xs: number[]) => xs.map((x) => Math.round(x)).join('/');
      results.push({
        name: mode.name,
        ours: median(rates.ours),
        peer: median(rates.sink),
        peerName: 'smtp-sink (stores nothing)',
        unit: 'msg/s',
        higherIsBetter: true,
        target: mode.target,
        notes: `median of ${ROUNDS}×${MESSAGES}: ours ${list(rates.ours)}, sink ${list(rates.sink)}; ${cpus.note}; data on ${filesystem} (${parent}), creating a file there took ${createUs.toFixed(0)} µs before the run; all ${stored} stored`,
      });
    }
    return results;
  } finally {
    await Promise.all([stop(sink.child), stop(ours.child)]);
    await fs.rm(data, { recursive: true, force: true });
  }
}
