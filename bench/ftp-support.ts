/**
 * Helpers of the FTP benchmark: running a client command, and the CPU time a server used,
 * counting the per-session processes vsftpd forks once they have ended.
 * @module
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuSeconds } from './support.js';

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

/** Whether `pid` has live children (Linux /proc children list; false when unknown). */
async function hasChildren(pid: number): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim() !== '';
  } catch {
    return false;
  }
}

/**
 * CPU seconds of `pid` with its reaped children, once the sessions it forked have ended (at most
 * ~2 s): vsftpd serves each session in a forked process whose time counts only once reaped.
 */
export async function settledCpuSeconds(pid: number | undefined): Promise<number> {
  if (pid === undefined) return Number.NaN;
  for (let i = 0; i < 200 && (await hasChildren(pid)); i++) await sleep(10);
  return cpuSeconds(pid, { withChildren: true });
}
