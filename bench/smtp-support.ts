/**
 * Helpers of the SMTP benchmark: ports, CPU pinning with `taskset`, the file system under the
 * data folder, medians.
 * @module
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

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

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return 0;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Where each process runs: the server under test on one CPU, the load generator on another. */
export interface CpuPlan {
  /** The command to spawn (`taskset -c N file args...` when pinning). */
  pin(role: 'server' | 'source', file: string, args: readonly string[]): [string, string[]];
  /** For the report. */
  readonly note: string;
}

/**
 * Pins to the last CPU (server) and the one before it (source), when there are two and taskset
 * exists, unless `MINISUITE_BENCH_PIN=0` (on a VM, wake-ups across CPUs can cost the fast peer
 * more than us: compare both ways before trusting a ratio).
 */
export async function planCpus(): Promise<CpuPlan> {
  const count = os.availableParallelism();
  if (process.env['MINISUITE_BENCH_PIN'] === '0')
    return { pin: (_role, file, args) => [file, [...args]], note: 'not pinned (MINISUITE_BENCH_PIN=0)' };
  const hasTaskset = await run('taskset', ['--version']).then(
    () => true,
    () => false,
  );
  if (count < 2 || !hasTaskset)
    return { pin: (_role, file, args) => [file, [...args]], note: `not pinned (${count} CPU, taskset ${hasTaskset})` };
  const cpu = { server: count - 1, source: count - 2 };
  return {
    pin: (role, file, args) => ['taskset', ['-c', String(cpu[role]), file, ...args]],
    note: `servers on CPU ${cpu.server}, smtp-source on CPU ${cpu.source}`,
  };
}

/** statfs(2) magic numbers of the file systems worth naming. */
const FILESYSTEMS: Record<number, string> = {
  61267: 'ext4',
  1481003842: 'xfs',
  2435016766: 'btrfs',
  16914836: 'tmpfs',
  2240043254: 'ramfs',
  2035054128: 'overlayfs',
  801189825: 'zfs',
};

export async function describeFilesystem(dir: string): Promise<string> {
  const { type } = await fs.statfs(dir);
  return FILESYSTEMS[type] ?? `fs 0x${type.toString(16)}`;
}
