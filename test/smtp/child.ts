/**
 * `minisuite start smtp ...` as a child process for the crash and CLI tests, on the shared
 * {@link CliProcess} runner.
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { CLI, CliProcess } from '../helpers/cli.js';

export interface StartedChild {
  readonly child: ChildProcess;
  readonly port: number;
  readonly readyLine: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
}

/** Starts `minisuite start ...args` and resolves once the smtp ready line is printed. */
export async function startChild(args: string[], timeoutMs?: number): Promise<StartedChild> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p tsconfig.build.json)`);
  const proc = new CliProcess(['start', ...args]);
  try {
    const m = await proc.waitForStdout(/^smtp listening on smtp:\/\/127\.0\.0\.1:(\d+)$/m, timeoutMs);
    return {
      child: proc.child,
      port: Number(m[1]),
      readyLine: m[0],
      stdout: () => proc.stdout,
      stderr: () => proc.stderr,
      exited: proc.exited.then(({ code, signal }) => code ?? signal ?? 'unknown'),
    };
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
}
