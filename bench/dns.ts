/**
 * DNS benchmark: dnsperf against minisuite's DNS server (started as `minisuite start dns` does,
 * query log on, pretty console to /dev/null; see dns-servers.ts) and a bare dns-packet responder,
 * each in its own process. With two or more CPUs both servers are pinned to the same CPU and
 * dnsperf to another (`taskset`), so the load generator never competes with the server it
 * measures. Rounds alternate ours/peer, peer/ours... and medians are compared, so a noisy machine
 * disturbs both alike; each server's CPU time per answer (from /proc) is reported too, as it does
 * not depend on how much CPU the rest of the machine left over. Then the p99 latency of each at a
 * fixed 10,000 qps (dnsperf -Q, per-query report -v), also in alternating rounds. The bench fails
 * if any answer is not NOERROR or if ours made fewer exchange records than it sent answers.
 * Only 127.0.0.1, bounded in time.
 * @module
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type BenchServer, startBare, startOurs } from './dns-servers.js';
import type { BenchResult } from './report.js';
import { canPin, cpuSeconds, pinned } from './support.js';

const exec = promisify(execFile);

/** Alternating throughput rounds per server, and the seconds of each. */
const ROUNDS = 6;
const DURATION_S = 3;
/** Queries in flight (dnsperf -q). */
const OUTSTANDING = 100;
/** The fixed rate of the latency runs, their rounds per server and seconds. */
const LATENCY_QPS = 10_000;
const LATENCY_ROUNDS = 3;
const LATENCY_S = 3;

const QUERIES = ['www.suite.test A', 'mail.suite.test A', 'ftp.suite.test A', 'dns.suite.test A'];

interface Run {
  readonly qps: number;
  readonly completed: number;
  readonly lost: number;
  readonly latenciesMs: number[];
}

interface Cpus {
  /** CPU of the servers under test and of dnsperf; undefined: not pinned. */
  readonly server: number | undefined;
  readonly load: number | undefined;
}

async function pinning(): Promise<Cpus> {
  return (await canPin()) ? { server: 1, load: 0 } : { server: undefined, load: undefined };
}

async function dnsperf(cpus: Cpus, port: number, file: string, args: string[], verbose = false): Promise<Run> {
  const argv = ['-s', '127.0.0.1', '-p', String(port), '-d', file, '-q', String(OUTSTANDING), '-t', '2', ...args];
  if (verbose) argv.push('-v');
  const [cmd, rest] = pinned(cpus.load, 'dnsperf', argv);
  const { stdout } = await exec(cmd, rest, { maxBuffer: 256 * 1024 * 1024 });
  const qps = Number(/Queries per second:\s+([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN);
  const lost = Number(/Queries lost:\s+(\d+)/.exec(stdout)?.[1] ?? Number.NaN);
  const completed = Number(/Queries completed:\s+(\d+)/.exec(stdout)?.[1] ?? Number.NaN);
  if (!Number.isFinite(qps)) throw new Error(`dnsperf output not understood:\n${stdout.slice(-2000)}`);
  // Every answer must be a real one: a server that answered SERVFAIL fast would win otherwise.
  const codes = /Response codes:\s+(.*)/.exec(stdout)?.[1] ?? '';
  if (!/^NOERROR \d+ \(100\.00%\)$/.test(codes.trim())) throw new Error(`port ${port} answered: ${codes}`);
  // Verbose lines: "> NOERROR www.suite.test A 0.000123" (latency in seconds, last field).
  const latenciesMs = verbose ? [...stdout.matchAll(/^> \S+ .* ([\d.]+)$/gm)].map((m) => Number(m[1]) * 1000) : [];
  return { qps, completed, lost, latenciesMs };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function median(values: number[]): number {
  return percentile(values, 50);
}

const round = (values: number[]) => values.map((v) => Math.round(v)).join('/');

export async function bench(): Promise<BenchResult[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-bench-dns-'));
  const file = path.join(dir, 'queries.txt');
  await fs.writeFile(file, `${QUERIES.join('\n')}\n`);
  const cpus = await pinning();
  const load = os.loadavg()[0] ?? 0;
  const servers: BenchServer[] = [];
  try {
    const ours = await startOurs(path.join(dir, 'data'), cpus.server);
    servers.push(ours);
    const peer = await startBare(cpus.server);
    servers.push(peer);
    const stats = [ours, peer].map((server) => ({
      server,
      qps: [] as number[],
      cpuUs: [] as number[],
      lost: 0,
      /** Every answer of every run, warm-up included: each must have made an exchange record. */
      completed: 0,
      p99: [] as number[],
      p50: [] as number[],
      achieved: [] as number[],
    }));
    // Warm both up (JIT) before measuring.
    for (const s of stats) s.completed += (await dnsperf(cpus, s.server.port, file, ['-l', '2'])).completed;
    // Pairs alternate their order too (ours first, then the peer first...): neither always runs
    // right after the other's load.
    const inOrder = (r: number) => (r % 2 === 0 ? stats : [...stats].reverse());
    for (let r = 0; r < ROUNDS; r++)
      for (const s of inOrder(r)) {
        const cpu0 = cpuSeconds(s.server.pid);
        const run = await dnsperf(cpus, s.server.port, file, ['-l', String(DURATION_S)]);
        const cpu1 = cpuSeconds(s.server.pid);
        s.qps.push(run.qps);
        if (Number.isFinite(cpu0) && Number.isFinite(cpu1)) s.cpuUs.push(((cpu1 - cpu0) * 1e6) / run.completed);
        s.lost += run.lost;
        s.completed += run.completed;
      }
    const fixed = ['-l', String(LATENCY_S), '-Q', String(LATENCY_QPS)];
    for (let r = 0; r < LATENCY_ROUNDS; r++)
      for (const s of inOrder(r)) {
        const run = await dnsperf(cpus, s.server.port, file, fixed, true);
        s.p99.push(percentile(run.latenciesMs, 99));
        s.p50.push(percentile(run.latenciesMs, 50));
        s.achieved.push(run.qps);
        s.completed += run.completed;
      }
    servers.length = 0;
    const [oursOut] = await Promise.all([ours.stop(), peer.stop()]);
    const [o, p] = stats as [(typeof stats)[number], (typeof stats)[number]];
    const records = Number(/records (\d+)/.exec(oursOut)?.[1] ?? 0);
    if (records < o.completed) throw new Error(`query log recorded ${records} exchanges for ${o.completed} answers`);
    // Each ours/peer pair ran back to back, under the same load from the rest of the machine.
    const pairs = o.qps.map((q, i) => q / (p.qps[i] as number));
    const pinned =
      cpus.server === undefined ? 'not pinned' : `servers on CPU ${cpus.server}, dnsperf on CPU ${cpus.load}`;
    // Other work on the machine takes CPU time from whichever server is measured at that moment.
    const where = `${pinned}; load average ${load.toFixed(1)} on ${os.availableParallelism()} CPUs at the start`;
    const fmt = (v: number[]) => v.map((x) => x.toFixed(2)).join('/');
    return [
      {
        name: `DNS UDP queries/s (A, query log on), dnsperf -q ${OUTSTANDING}, median of ${ROUNDS}×${DURATION_S}s`,
        ours: median(o.qps),
        peer: median(p.qps),
        peerName: 'bare dns-packet responder',
        unit: 'q/s',
        higherIsBetter: true,
        target: 0.7,
        notes: `rounds ${round(o.qps)} vs ${round(p.qps)}; pair ratios ${fmt(pairs)} (median ${median(pairs).toFixed(2)}); lost ${o.lost} vs ${p.lost}; ${records} exchange records; ${where}`,
      },
      {
        name: 'DNS server CPU per query (same runs; /proc user+system time ÷ answers)',
        ours: median(o.cpuUs),
        peer: median(p.cpuUs),
        peerName: 'bare dns-packet responder',
        unit: 'µs',
        higherIsBetter: false,
        notes: `rounds ${fmt(o.cpuUs)} vs ${fmt(p.cpuUs)} µs: what each answer costs, whatever else the machine runs`,
      },
      {
        name: `DNS p99 latency at ${LATENCY_QPS.toLocaleString('en-US')} qps, median of ${LATENCY_ROUNDS}×${LATENCY_S}s`,
        ours: median(o.p99),
        peer: median(p.p99),
        peerName: 'bare dns-packet responder',
        unit: 'ms',
        higherIsBetter: false,
        notes: `p99 rounds ${fmt(o.p99)} vs ${fmt(p.p99)} ms; p50 ${median(o.p50).toFixed(3)} vs ${median(p.p50).toFixed(3)} ms; achieved ${round(o.achieved)} vs ${round(p.achieved)} qps`,
      },
    ];
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await fs.rm(dir, { recursive: true, force: true });
  }
}
