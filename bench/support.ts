/**
 * Helpers every benchmark needs: free ports on 127.0.0.1, waiting for a server, medians.
 * @module
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { promisify } from 'node:util';

const exec = promisify(execFile);

// The same probe the tests use: a port that was free on 127.0.0.1 a moment ago.
export { freePort } from '../test/helpers/free-port.js';

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
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

/** The median (mean of the two middle values for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return 0;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * True when `taskset` works and there are at least two CPUs, so a server and its load generator
 * can be pinned apart.
 */
export async function canPin(): Promise<boolean> {
  if (os.availableParallelism() < 2) return false;
  try {
    await exec('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
}

/** `command args` as run on `cpu` (through taskset), or unchanged when `cpu` is undefined. */
export function pinned(cpu: number | undefined, command: string, args: readonly string[]): [string, string[]] {
  return cpu === undefined ? [command, [...args]] : ['taskset', ['-c', String(cpu), command, ...args]];
}

/** USER_HZ, the unit of /proc/PID/stat times (100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

/**
 * User + system CPU seconds `pid` has used so far (utime + stime of /proc/PID/stat), plus those
 * of its reaped children (cutime + cstime) with `withChildren`. NaN when unknown (not Linux).
 */
export function cpuSeconds(pid: number | undefined, options: { withChildren?: boolean } = {}): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may hold spaces) start at field 3;
    // utime, stime, cutime, cstime are fields 14 to 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const indexes = options.withChildren ? [11, 12, 13, 14] : [11, 12];
    return indexes.reduce((sum, i) => sum + Number(fields[i]), 0) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}
