/**
 * Load and measurement helpers for the HTTP benchmark: the CPUs of server and load, one bounded
 * `wrk` run, and the CPU time a server process used during it, so a report can say whether the
 * server or the load tool was the limit.
 * @module
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpuSeconds, pinned } from './support.js';

const run = promisify(execFile);

/** CPU the server under test runs on, and the one wrk runs on (when pinning is possible). */
export const SERVER_CPU = 0;
export const LOAD_CPU = 1;

export interface WrkResult {
  readonly rps: number;
  readonly p99Ms: number;
  /** Share of one CPU the server used during the run (1 = saturated), NaN when unknown. */
  readonly serverCpu: number;
}

export interface WrkOptions {
  readonly threads: number;
  readonly connections: number;
  readonly seconds: number;
  /** CPU wrk is pinned to, if any. */
  readonly cpu?: number | undefined;
  /** The server's pid, to measure the CPU it used. */
  readonly serverPid?: number | undefined;
}

/** One bounded wrk run; refuses to report a run with errors or non-2xx answers. */
export async function wrk(url: string, options: WrkOptions): Promise<WrkResult> {
  const { threads, connections, seconds } = options;
  const [cmd, args] = pinned(options.cpu, 'wrk', [
    `-t${threads}`,
    `-c${connections}`,
    `-d${seconds}s`,
    '--latency',
    '--timeout',
    '5s',
    url,
  ]);
  const cpu0 = cpuSeconds(options.serverPid);
  const t0 = performance.now();
  const { stdout } = await run(cmd, args, { encoding: 'utf8', timeout: (seconds + 20) * 1000 });
  const wall = (performance.now() - t0) / 1000;
  const serverCpu = (cpuSeconds(options.serverPid) - cpu0) / wall;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  if (!Number.isFinite(rps)) throw new Error(`cannot read wrk output:\n${stdout}`);
  if (/Non-2xx or 3xx responses/.test(stdout) || /Socket errors:.*(read|write|timeout) [1-9]/.test(stdout))
    throw new Error(`wrk saw errors against ${url}:\n${stdout}`);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)\b/.exec(stdout);
  const scale = p99?.[2] === 'us' ? 0.001 : p99?.[2] === 's' ? 1000 : 1;
  return { rps, p99Ms: p99 ? Number(p99[1]) * scale : Number.NaN, serverCpu };
}
