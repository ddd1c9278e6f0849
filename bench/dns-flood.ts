/**
 * DNS under a UDP garbage flood (issue #17): while a flooder on 127.0.0.1 sends random bytes at
 * 20k/s, 40k/s and as fast as it can, dnsperf on 127.0.0.2 sends good queries at a fixed rate,
 * and we report how many of those good queries got no answer. The same scenario runs against
 * minisuite (started as `minisuite start dns` does, query log on; dns-servers.ts) and against NSD
 * (the Debian `nsd` package, on a free loopback port, response rate limiting off), in alternating
 * order. Both servers are pinned to one CPU and the flooder and dnsperf to the other when
 * `taskset` works. Bounded: every flood stops after its seconds or its datagram cap.
 * @module
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { socketFilterAvailable } from '../shared/socket-filter.js';
import { freeUdpTcpPort } from '../test/helpers/free-port.js';
import { nsdConf } from '../test/helpers/nsd-conf.js';
import { type BenchServer, startOurs } from './dns-servers.js';
import type { BenchResult } from './report.js';
import { canPin, pinned } from './support.js';

const exec = promisify(execFile);

/** Garbage rates; 0 is unpaced (as fast as the flooder can send). */
const RATES = [20_000, 40_000, 0];
/** Seconds of good queries per run (the flood runs a little longer on both sides). */
const DURATION_S = 3;
/** The good client's fixed rate (dnsperf -Q). */
const GOOD_QPS = 1_000;
/** No flood sends more than this many datagrams, whatever its rate. */
const MAX_DATAGRAMS = 1_500_000;

/** Sends garbage at RATE/s (0: unpaced) to PORT from 127.0.0.1 until SIGTERM or MAX; prints "sent N". */
const FLOOD_SCRIPT = `
const dgram = require('node:dgram');
const crypto = require('node:crypto');
const [port, rate, max] = process.argv.slice(1).map(Number);
const socket = dgram.createSocket('udp4');
socket.on('error', () => {});
const pool = Array.from({ length: 256 }, (_, i) => crypto.randomBytes(12 + (i % 68)));
let sent = 0;
process.on('SIGTERM', () => {
  process.stdout.write('sent ' + sent + '\\n');
  process.exit(0);
});
const send = () => socket.send(pool[sent++ & 255], port, '127.0.0.1');
socket.bind(0, '127.0.0.1', () => {
  process.stdout.write('ready\\n');
  const t0 = performance.now();
  const tick = () => {
    if (rate > 0) {
      const due = Math.min(max, Math.floor(((performance.now() - t0) * rate) / 1000));
      while (sent < due) send();
      if (sent < max) setTimeout(tick, 1);
    } else {
      // Unpaced, but never more than a few thousand sends queued in libuv.
      for (let i = 0; i < 2000 && sent < max && socket.getSendQueueCount() < 4000; i++) send();
      if (sent < max) setImmediate(tick);
    }
  };
  tick();
});`;

interface Peer {
  readonly name: string;
  readonly port: number;
  stop(): Promise<unknown>;
}

const ZONE = `$ORIGIN suite.test.
$TTL 300
@    SOA ns hostmaster 1 3600 600 86400 120
@    NS  ns
ns   A   127.0.0.1
www  A   127.0.0.1
`;

/** NSD serving suite.test on a free port, pinned to `cpu`; resolves once it answers. */
async function startNsd(dir: string, cpu: number | undefined): Promise<Peer> {
  // NSD binds UDP and TCP on the one port: a TCP-only probe could hand out a port whose UDP twin is taken.
  const port = await freeUdpTcpPort();
  await fs.writeFile(path.join(dir, 'suite.zone'), ZONE);
  const conf = nsdConf({ dir, port, zones: { 'suite.test': 'suite.zone' }, server: ['verbosity: 0'] });
  await fs.writeFile(path.join(dir, 'nsd.conf'), conf);
  const [cmd, args] = pinned(cpu, 'nsd', ['-d', '-c', path.join(dir, 'nsd.conf')]);
  const child: ChildProcess = spawn(cmd, args, { stdio: 'ignore' });
  const exited = once(child, 'exit');
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nsd exited: ${await fs.readFile(path.join(dir, 'nsd.log'), 'utf8')}`);
    try {
      await exec('dig', ['+short', '+tries=1', '+time=1', '-p', String(port), '@127.0.0.1', 'www.suite.test', 'A']);
      break;
    } catch {
      if (i > 50) throw new Error('nsd does not answer');
    }
  }
  return {
    name: 'NSD',
    port,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Starts the flooder on `cpu`; resolves once it sends. `stop()` resolves with the count sent. */
async function startFlood(port: number, rate: number, cpu: number | undefined) {
  const [cmd, args] = pinned(cpu, process.execPath, [
    '-e',
    FLOOD_SCRIPT,
    String(port),
    String(rate),
    String(MAX_DATAGRAMS),
  ]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (c: string) => {
    out += c;
  });
  const exited = once(child, 'exit');
  while (!out.includes('ready\n')) {
    if (child.exitCode !== null) throw new Error('flooder exited');
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    stop: async (): Promise<number> => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      return Number(/sent (\d+)/.exec(out)?.[1] ?? Number.NaN);
    },
  };
}

interface Loss {
  readonly sent: number;
  readonly lost: number;
  readonly garbage: number;
  readonly seconds: number;
}

/** One run: flood at `rate`, good queries from 127.0.0.2 meanwhile. */
async function run(port: number, rate: number, file: string, cpu: number | undefined): Promise<Loss> {
  const flood = await startFlood(port, rate, cpu);
  const t0 = performance.now();
  const argv = ['-s', '127.0.0.1', '-p', String(port), '-a', '127.0.0.2', '-d', file, '-l', String(DURATION_S)];
  // -q: room for every query of a second in flight, so losses never throttle the good client's rate.
  argv.push('-Q', String(GOOD_QPS), '-q', String(2 * GOOD_QPS), '-t', '1');
  const [cmd, rest] = pinned(cpu, 'dnsperf', argv);
  try {
    const { stdout } = await exec(cmd, rest, { maxBuffer: 16 * 1024 * 1024 });
    const sent = Number(/Queries sent:\s+(\d+)/.exec(stdout)?.[1] ?? Number.NaN);
    const lost = Number(/Queries lost:\s+(\d+)/.exec(stdout)?.[1] ?? Number.NaN);
    if (!Number.isFinite(sent) || sent === 0) throw new Error(`dnsperf output not understood:\n${stdout.slice(-1500)}`);
    const garbage = await flood.stop();
    return { sent, lost, garbage, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await flood.stop();
  }
}

const pct = (l: Loss) => (100 * l.lost) / l.sent;

export async function bench(): Promise<BenchResult[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-bench-dns-flood-'));
  const file = path.join(dir, 'queries.txt');
  await fs.writeFile(file, 'www.suite.test A\n');
  const pin = await canPin();
  const serverCpu = pin ? 1 : undefined;
  const loadCpu = pin ? 0 : undefined;
  const load = os.loadavg()[0] ?? 0;
  // Ours drops garbage in the kernel when the optional addon is built (protocols/dns/udp-bpf.ts), else in JavaScript.
  const filter = socketFilterAvailable()
    ? 'ours filters in the kernel (BPF)'
    : 'ours filters in JavaScript (addon not built)';
  const servers: Array<BenchServer | Peer> = [];
  try {
    const ours = await startOurs(path.join(dir, 'data'), serverCpu);
    servers.push(ours);
    const nsd = await startNsd(dir, serverCpu);
    servers.push(nsd);
    const results: BenchResult[] = [];
    for (const [i, rate] of RATES.entries()) {
      // Alternate who goes first, so neither always runs right after the other's flood.
      const order = i % 2 === 0 ? [ours, nsd] : [nsd, ours];
      const loss = new Map<string, Loss>();
      for (const s of order) loss.set(s.name, await run(s.port, rate, file, loadCpu));
      const o = loss.get(ours.name) as Loss;
      const p = loss.get(nsd.name) as Loss;
      const rateText = rate === 0 ? 'unpaced' : `${rate / 1000}k/s`;
      const achieved = (l: Loss) => Math.round(l.garbage / l.seconds).toLocaleString('en-US');
      results.push({
        name: `DNS good-query loss from 127.0.0.2 (${GOOD_QPS} q/s) under a garbage flood from 127.0.0.1, ${rateText}`,
        ours: pct(o),
        peer: pct(p),
        peerName: 'NSD',
        unit: '%',
        higherIsBetter: false,
        notes: `${filter}; lost ${o.lost}/${o.sent} vs ${p.lost}/${p.sent}; garbage sent ${o.garbage} (~${achieved(o)}/s) vs ${p.garbage} (~${achieved(p)}/s); ${pin ? 'servers on CPU 1, flooder and dnsperf on CPU 0' : 'not pinned'}; load average ${load.toFixed(1)} on ${os.availableParallelism()} CPUs at the start`,
      });
    }
    return results;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await fs.rm(dir, { recursive: true, force: true });
  }
}
