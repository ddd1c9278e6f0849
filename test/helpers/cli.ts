/**
 * Runs the built `minisuite` binary (dist/cli/main.js; `npm test` builds first) as a child process.
 * @module
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI to completion (bounded by `timeoutMs`), optionally feeding stdin. */
export function runCli(
  args: string[],
  options: { input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`minisuite ${args.join(' ')} did not finish; stderr: ${stderr}`));
    }, options.timeoutMs ?? 100_000); // a backstop for a hang, not a speed check (see waitForStdout)
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs the CLI and expects a usage error: exit 2, nothing on stdout, one line on stderr matching `pattern` (SPEC.md). */
export async function expectUsageError(args: string[], pattern: RegExp): Promise<void> {
  const r = await runCli(args);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

/** A long-running CLI process (e.g. `start`) with helpers to wait for output. */
export class CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], cwd?: string) {
    this.child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: 'pipe' });
    this.child.stdout.on('data', (d: Buffer) => {
      this.stdout += d.toString();
    });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /**
   * Waits until stdout matches `pattern` (or the process exits, which rejects). The deadline only
   * catches a process that will never print it: starting four servers takes however long a busy
   * machine needs, so it sits just under the tests' own timeout (vitest.config.ts).
   */
  async waitForStdout(pattern: RegExp, timeoutMs = 100_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    for (;;) {
      const m = this.stdout.match(pattern);
      if (m) return m;
      if (exited) throw new Error(`exited before ${pattern}; stdout: ${this.stdout} stderr: ${this.stderr}`);
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${pattern}; stdout: ${this.stdout} stderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.child.kill(signal);
  }
}
