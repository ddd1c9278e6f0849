import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Suite } from '../../suite/start-suite.js';

const run = promisify(execFile);

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a client program; resolves with its exit code and output whether it succeeds or not. */
export async function runTool(cmd: string, args: readonly string[], input?: string): Promise<RunResult> {
  try {
    const child = run(cmd, [...args], { encoding: 'utf8', timeout: 30_000 });
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}

/** The suite's CA file; fails the test when the suite has no CA. */
export function caFile(suite: Suite): string {
  const file = suite.tls?.caFile;
  if (!file) throw new Error('suite has no CA (started without tls?)');
  return file;
}

/** Port of a URL like "https://127.0.0.1:8443". */
export function portOf(url: string | undefined): number {
  if (!url) throw new Error('no URL');
  return Number(new URL(url).port);
}
