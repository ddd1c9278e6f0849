/**
 * Helpers of the SMTP benchmark: which CPU each process runs on, and the file system under the
 * data folder.
 * @module
 */
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { canPin, pinned } from './support.js';

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
  if (process.env['MINISUITE_BENCH_PIN'] === '0')
    return { pin: (_role, file, args) => [file, [...args]], note: 'not pinned (MINISUITE_BENCH_PIN=0)' };
  const count = os.availableParallelism();
  if (!(await canPin()))
    return { pin: (_role, file, args) => [file, [...args]], note: `not pinned (${count} CPU, or no taskset)` };
  const cpu = { server: count - 1, source: count - 2 };
  return {
    pin: (role, file, args) => pinned(cpu[role], file, args),
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

/** Files {@link probeFileCreation} creates. */
const PROBE_FILES = 200;

/**
 * Mean microseconds to create one empty file in a new folder under `dir` (left in place; the
 * caller removes `dir`). Each stored message is a new file, and what that costs depends on the
 * file system's state as much as on the disk: ext4 without a journal, for one, skips every inode
 * freed in the last minute or more (it cannot know the inode table reached the disk), so file
 * creation near many recent deletions (a test run, an earlier benchmark) was measured at
 * 300–700 µs of kernel CPU here, against 15–25 µs elsewhere on the same disk. The report shows
 * this figure so such a run can be recognized.
 */
export async function probeFileCreation(dir: string): Promise<number> {
  const probe = path.join(dir, 'probe');
  await fs.mkdir(probe);
  const t0 = performance.now();
  for (let i = 0; i < PROBE_FILES; i++) fsSync.closeSync(fsSync.openSync(path.join(probe, String(i)), 'wx'));
  return ((performance.now() - t0) * 1000) / PROBE_FILES;
}
