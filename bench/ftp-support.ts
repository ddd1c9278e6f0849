/**
 * Helpers of the FTP benchmark: running a client command, and the CPU time a server used,
 * counting the per-session processes vsftpd forks once they have ended.
 * @module
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cmd args` to its end, collecting its output. */
export function run(cmd: string, args: readonly string[]): Promise<RunResult> {
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

/** USER_HZ, the unit of /proc/PID/stat times (100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

/**
 * User + system CPU seconds of `pid` and of its children that were waited for (utime, stime,
 * cutime, cstime of /proc/PID/stat). vsftpd serves each session in forked processes: their time
 * is counted once they have exited and been reaped, which {@link settledCpuSeconds} waits for.
 * NaN when unknown (not Linux).
 */
export async function cpuSecondsWithChildren(pid: number | undefined): Promise<number> {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name start at field 3; utime..cstime are 14..17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return ticks / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Whether `pid` has live children (Linux /proc children list; false when unknown). */
async function hasChildren(pid: number): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim() !== '';
  } catch {
    return false;
  }
}

/**
 * {@link cpuSecondsWithChildren} once the sessions `pid` forked have ended (at most ~2 s), so
 * that the CPU a finished transfer used is all counted.
 */
export async function settledCpuSeconds(pid: number | undefined): Promise<number> {
  if (pid === undefined) return Number.NaN;
  for (let i = 0; i < 200 && (await hasChildren(pid)); i++) await sleep(10);
  return cpuSecondsWithChildren(pid);
}
