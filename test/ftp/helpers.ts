/**
 * Test helpers for FTP: a server on 127.0.0.1:0 in a fresh temp folder, and runners for the
 * real clients (python3 ftplib scripts, curl).
 * @module
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FtpServerOptions } from '../../protocols/ftp/options.js';
import { FtpServer } from '../../protocols/ftp/server.js';
import { ExchangeLog } from '../../shared/exchange.js';

export interface TestFtp {
  readonly server: FtpServer;
  readonly port: number;
  /** Real path of the served folder. */
  readonly root: string;
  readonly dir: string;
  readonly log: ExchangeLog;
  close(): Promise<void>;
}

export const USER = 'alice';

/** How long a client process may run before it is killed as hung (see {@link run}). */
export const CLIENT_BACKSTOP_MS = 110_000;
export const PASS = 's3cret:pw';

/** Starts a server with an account alice/s3cret:pw, anonymous on, in a fresh temp folder. */
export async function startFtp(options: Partial<FtpServerOptions> = {}): Promise<TestFtp> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-ftp-'));
  const log = new ExchangeLog();
  const server = new FtpServer({
    root: path.join(dir, 'files'),
    users: [{ name: USER, pass: PASS }],
    loginFailureDelayMs: 10,
    log,
    ...options,
  });
  const port = await server.listen();
  return {
    server,
    port,
    root: server.root,
    dir,
    log,
    async close() {
      await server.close({ graceMs: 0 });
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program; never rejects on a non-zero exit (the test asserts on it). */
export function run(
  cmd: string,
  args: string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    // Only a backstop for a hung client, kept above every test timeout that runs clients: on a busy
    // machine ten clients at once can take many seconds, and that is not a failure.
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? CLIENT_BACKSTOP_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/**
 * Runs a python3 ftplib script (stdlib only). The script gets `PORT`, `USER`, `PASS` and `ftplib`,
 * `io`, `sys` already bound, and a connected-but-not-logged-in `ftp`.
 */
export function python(port: number, body: string): Promise<RunResult> {
  const prelude = [
    'import ftplib, io, sys',
    `PORT = ${port}`,
    `USER = ${JSON.stringify(USER)}`,
    `PASS = ${JSON.stringify(PASS)}`,
    "ftp = ftplib.FTP(encoding='utf-8')",
    // No socket timeout: a slow answer on a loaded machine is not a failure; the test's timeout and
    // the process backstop catch a real hang.
    "ftp.connect('127.0.0.1', PORT)",
  ].join('\n');
  return run('python3', ['-c', `${prelude}\n${body}`]);
}

/** Runs curl with a short connect timeout and error output. */
export function curl(args: string[], input?: string): Promise<RunResult> {
  return run('curl', ['-sS', '--max-time', '20', ...args], input !== undefined ? { input } : {});
}
