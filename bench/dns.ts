/**
 * DNS benchmark: dnsperf against minisuite's DNS server (built-in zone, exchange log and query
 * history on) and, in the same run, against a bare dns-packet UDP responder (decode, one A record,
 * encode). Throughput for `DURATION_S` seconds each, then the p99 latency of each at a fixed
 * 10,000 qps, computed from dnsperf's per-query report (-v). Only 127.0.0.1, bounded in time.
 * @module
 */
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import dnsPacket from 'dns-packet';
import { DnsService } from '../protocols/dns/service.js';
import { ExchangeLog } from '../shared/exchange.js';
import { DEFAULT_CONFIG } from '../suite/config.js';
import type { BenchResult } from './report.js';

const exec = promisify(execFile);

/** Seconds of each throughput run. */
const DURATION_S = 5;
/** The fixed rate of the latency runs. */
const LATENCY_QPS = 10_000;
/** Seconds of each latency run. */
const LATENCY_S = 3;

const QUERIES = ['www.suite.test A', 'mail.suite.test A', 'ftp.suite.test A', 'dns.suite.test A'];

interface Run {
  readonly qps: number;
  readonly lost: number;
  readonly latenciesMs: number[];
}

async function dnsperf(port: number, file: string, args: string[], verbose: boolean): Promise<Run> {
  const { stdout } = await exec(
    'dnsperf',
    ['-s', '127.0.0.1', '-p', String(port), '-d', file, ...args, ...(verbose ? ['-v'] : [])],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  const qps = Number(/Queries per second:\s+([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN);
  const lost = Number(/Queries lost:\s+(\d+)/.exec(stdout)?.[1] ?? Number.NaN);
  if (!Number.isFinite(qps)) throw new Error(`dnsperf output not understood:\n${stdout.slice(-2000)}`);
  // Verbose lines: "> NOERROR www.suite.test A 0.000123" (latency in seconds, last field).
  const latenciesMs = verbose ? [...stdout.matchAll(/^> \S+ .* ([\d.]+)$/gm)].map((m) => Number(m[1]) * 1000) : [];
  return { qps, lost, latenciesMs };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** The peer: the least a dns-packet server can do. */
async function bareResponder(): Promise<{ port: number; close: () => Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    try {
      const q = dnsPacket.decode(msg);
      const question = q.questions?.[0];
      if (!question) return;
      const answer = dnsPacket.encode({
        type: 'response',
        id: q.id ?? 0,
        flags: dnsPacket.AUTHORITATIVE_ANSWER,
        questions: [question],
        answers: [{ name: question.name, type: 'A', ttl: 60, data: '127.0.0.1' }],
      });
      socket.send(answer, rinfo.port, rinfo.address);
    } catch {
      // garbage in, nothing out
    }
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { port: socket.address().port, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

async function ours(dataDir: string) {
  const log = new ExchangeLog();
  const service = new DnsService(
    { host: '127.0.0.1', dataDir, log, tls: undefined, peers: () => [] },
    { ...DEFAULT_CONFIG, dns: { port: 0, zones: [] } },
  );
  await service.start();
  return { port: service.port, log, service, close: () => service.close({ graceMs: 0 }) };
}

export async function bench(): Promise<BenchResult[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-bench-dns-'));
  const file = path.join(dir, 'queries.txt');
  await fs.writeFile(file, `${QUERIES.join('\n')}\n`);
  const server = await ours(dir);
  const peer = await bareResponder();
  try {
    const load = ['-l', String(DURATION_S), '-q', '100', '-t', '2'];
    // Warm both up (JIT) before measuring.
    await dnsperf(server.port, file, ['-l', '1', '-q', '100'], false);
    await dnsperf(peer.port, file, ['-l', '1', '-q', '100'], false);
    const oursRun = await dnsperf(server.port, file, load, false);
    const peerRun = await dnsperf(peer.port, file, load, false);
    const fixed = ['-l', String(LATENCY_S), '-Q', String(LATENCY_QPS), '-q', '100', '-t', '2'];
    const oursLat = await dnsperf(server.port, file, fixed, true);
    const peerLat = await dnsperf(peer.port, file, fixed, true);
    const p99Ours = percentile(oursLat.latenciesMs, 99);
    const p99Peer = percentile(peerLat.latenciesMs, 99);
    return [
      {
        name: 'DNS UDP queries/s (A, query log on)',
        ours: oursRun.qps,
        peer: peerRun.qps,
        peerName: 'bare dns-packet responder',
        unit: 'q/s',
        higherIsBetter: true,
        target: 0.7,
        notes: `dnsperf -l ${DURATION_S} -q 100; lost ${oursRun.lost} vs ${peerRun.lost}; ${server.log.total} exchange records`,
      },
      {
        name: `DNS p99 latency at ${LATENCY_QPS.toLocaleString('en-US')} qps`,
        ours: p99Ours,
        peer: p99Peer,
        peerName: 'bare dns-packet responder',
        unit: 'ms',
        higherIsBetter: false,
        notes: `p50 ${percentile(oursLat.latenciesMs, 50).toFixed(3)} vs ${percentile(peerLat.latenciesMs, 50).toFixed(3)} ms; ${oursLat.latenciesMs.length} / ${peerLat.latenciesMs.length} samples; achieved ${Math.round(oursLat.qps)} / ${Math.round(peerLat.qps)} qps`,
      },
    ];
  } finally {
    await server.close();
    await peer.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
