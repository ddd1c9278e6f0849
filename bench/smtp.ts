/**
 * SMTP benchmark: minisuite (durable storage, exchange timeline on) beside three peers that store
 * nothing: smtp-server alone with the greeting at once (the library's floor), a bare Node
 * responder (Node's floor) and Postfix's smtp-sink. Postfix's `smtp-source` drives each with
 * 10 KiB messages from 20 sessions, persistent (`-d`, 3000 messages a run) and one connection per
 * message (500 a run), as issue #16 states its targets.
 *
 * Fairness: every server runs in its own process, pinned with `taskset` to the same CPU, and
 * smtp-source to another one (see smtp-support.ts). Each server is warmed up, then the servers
 * take turns round by round (the order rotates, so a drift in machine load favours none), and
 * each server's median is kept. Besides msg/s the report gives each server's CPU time per message
 * (utime + stime from /proc over the run), which depends less on what the rest of the machine
 * left over. Our data folder is on a real disk (`MINISUITE_BENCH_DATA`, default the OS temp
 * folder; tmpfs is refused); after each of our runs the bench waits until every message is in
 * the Maildir (its files are written off the reply path; waiting keeps that work out of the next
 * server's turn on the shared CPU), checks the count after each mode (each stored exactly once),
 * and reports the CPU the Maildir took apart from the runs'. The report also gives the cost of
 * creating a file there just before the run (see probeFileCreation). Bounded: a fixed message
 * count per run, 127.0.0.1 only.
 * @module
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BenchResult } from './report.js';
import {
  type BenchServer,
  LABELS,
  MINISUITE_CLI,
  type ServerName,
  SMTP_SINK,
  startServer,
  stopServer,
} from './smtp-servers.js';
import { type CpuPlan, describeFilesystem, planCpus, probeFileCreation } from './smtp-support.js';
import { cpuSeconds, median } from './support.js';

const run = promisify(execFile);

const SMTP_SOURCE = '/usr/sbin/smtp-source';
/** Sessions in parallel, message size, rounds per server and mode. */
const SESSIONS = 20;
const MESSAGE_BYTES = 10 * 1024;
const ROUNDS = 5;
const RUN_TIMEOUT_MS = 120_000;
/** How long the Maildir may take to show every message after the runs. */
const SETTLE_TIMEOUT_MS = 120_000;
const ORDER: readonly ServerName[] = ['ours', 'library', 'bare', 'sink'];

interface Mode {
  readonly persistent: boolean;
  readonly label: string;
  readonly messages: number;
  readonly warmup: number;
  /** Issue #16's targets: ours/peer msg/s. */
  readonly targets: Partial<Record<ServerName, number>>;
}

const MODES: readonly Mode[] = [
  {
    persistent: true,
    label: `persistent sessions (-d -s ${SESSIONS} -m 3000, 10 KiB, durable)`,
    messages: 3000,
    // A whole run's worth: after 1,000 our first measured round still ran at about half the
    // later ones' rate (JIT tiers, first segment), the library's did not; steady state is compared.
    warmup: 3000,
    targets: { library: 0.8, sink: 0.25 },
  },
  {
    persistent: false,
    label: `connection per message (-s ${SESSIONS} -m 500, 10 KiB, durable)`,
    messages: 500,
    warmup: 500,
    targets: { library: 0.8 },
  },
];

interface Sample {
  readonly rate: number;
  readonly cpuUs: number;
}

/** Runs smtp-source once against `server`; msg/s and the server's CPU µs per message. */
async function source(cpus: CpuPlan, server: BenchServer, messages: number, persistent: boolean): Promise<Sample> {
  const args = ['-s', String(SESSIONS), '-m', String(messages), '-l', String(MESSAGE_BYTES)];
  if (persistent) args.push('-d');
  args.push(`127.0.0.1:${server.port}`);
  const [file, argv] = cpus.pin('source', SMTP_SOURCE, args);
  const cpu0 = cpuSeconds(server.child.pid);
  const t0 = performance.now();
  await run(file, argv, { timeout: RUN_TIMEOUT_MS });
  const seconds = (performance.now() - t0) / 1000;
  return { rate: messages / seconds, cpuUs: ((cpuSeconds(server.child.pid) - cpu0) * 1e6) / messages };
}

/** Waits until `dir` holds `expected` files; resolves with how many it holds then. */
async function settle(dir: string, expected: number): Promise<number> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    const count = (await fs.readdir(dir).catch(() => [])).length;
    if (count >= expected || Date.now() > deadline) return count;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function bench(): Promise<BenchResult[]> {
  for (const tool of [SMTP_SINK, SMTP_SOURCE, MINISUITE_CLI])
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
  const servers: BenchServer[] = [];
  try {
    for (const name of ORDER) servers.push(await startServer(name, cpus, data));
    const ours = servers[0] as BenchServer;
    const results: BenchResult[] = [];
    let expected = 0;
    for (const mode of MODES) {
      const maildir = path.join(data, 'mail', 'new');
      let settleSeconds = 0;
      let stored = 0;
      /**
       * After each of our runs, until the Maildir shows every message: our view writes its files
       * off the reply path, and on the shared CPU it would otherwise run during the next server's
       * turn and slow that one down. The CPU this takes is reported apart from the run's.
       */
      const settleOurs = async (): Promise<void> => {
        const cpu0 = cpuSeconds(ours.child.pid);
        stored = await settle(maildir, expected);
        settleSeconds += cpuSeconds(ours.child.pid) - cpu0;
      };
      for (const server of servers) {
        await source(cpus, server, mode.warmup, mode.persistent);
        if (server === ours) {
          expected += mode.warmup;
          await settleOurs();
        }
      }
      settleSeconds = 0;
      const samples = new Map<ServerName, Sample[]>(ORDER.map((n) => [n, []]));
      for (let round = 0; round < ROUNDS; round++) {
        // Rotate who goes first, so a drift in machine load favours none.
        const turn = [...servers.slice(round % servers.length), ...servers.slice(0, round % servers.length)];
        for (const server of turn) {
          samples.get(server.name)?.push(await source(cpus, server, mode.messages, mode.persistent));
          if (server === ours) {
            expected += mode.messages;
            await settleOurs();
          }
        }
      }
      const settleUs = (settleSeconds * 1e6) / (ROUNDS * mode.messages);
      if (stored !== expected) throw new Error(`stored ${stored} messages, expected ${expected}`);
      const rate = (n: ServerName) => median((samples.get(n) ?? []).map((s) => s.rate));
      const cpu = (n: ServerName) => median((samples.get(n) ?? []).map((s) => s.cpuUs));
      const each = ORDER.map((n) => `${n} ${Math.round(rate(n))} msg/s ${Math.round(cpu(n))} µs`).join(', ');
      const common = `medians of ${ROUNDS}×${mode.messages}: ${each}; ${cpus.note}; data on ${filesystem}, file creation ${createUs.toFixed(0)} µs before the run`;
      for (const peer of ['library', 'sink', 'bare'] as const) {
        const target = mode.targets[peer];
        results.push({
          name: `SMTP msg/s, ${mode.label}`,
          ours: rate('ours'),
          peer: rate(peer),
          peerName: LABELS[peer],
          unit: 'msg/s',
          higherIsBetter: true,
          ...(target !== undefined ? { target } : {}),
          notes:
            peer === 'library'
              ? common
              : `rates per round: ours ${(samples.get('ours') ?? []).map((s) => Math.round(s.rate)).join('/')}, ${peer} ${(samples.get(peer) ?? []).map((s) => Math.round(s.rate)).join('/')}`,
        });
      }
      results.push({
        name: `SMTP CPU µs/msg, ${mode.label}`,
        ours: cpu('ours'),
        peer: cpu('library'),
        peerName: LABELS.library,
        unit: 'µs',
        higherIsBetter: false,
        notes: `all ${stored} stored once; the Maildir view, completed after each of our runs, took ${Math.round(settleUs)} µs/msg more`,
      });
    }
    return results;
  } finally {
    await Promise.all(servers.map((s) => stopServer(s.child)));
    await fs.rm(data, { recursive: true, force: true });
  }
}
