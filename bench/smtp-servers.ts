/**
 * The four SMTP servers `npm run bench smtp` compares, each in its own process and pinned like
 * the others: minisuite (the built `dist/` CLI, durable storage, exchange timeline written to
 * /dev/null as in real use), smtp-server alone (library-floor.ts), a bare Node responder
 * (bare-node.ts) and Postfix's smtp-sink.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { CpuPlan } from './smtp-support.js';
import { freePort, waitForPort } from './support.js';

export const SMTP_SINK = '/usr/sbin/smtp-sink';
export const MINISUITE_CLI = path.resolve(import.meta.dirname, '../dist/cli/main.js');
const PEERS = path.resolve(import.meta.dirname, 'smtp-peers');

export type ServerName = 'ours' | 'library' | 'bare' | 'sink';

export interface BenchServer {
  readonly name: ServerName;
  /** How the report names it. */
  readonly label: string;
  readonly port: number;
  readonly child: ChildProcess;
}

export const LABELS: Record<ServerName, string> = {
  ours: 'minisuite',
  library: 'smtp-server alone (no storage)',
  bare: 'bare Node responder',
  sink: 'smtp-sink (stores nothing)',
};

/** Resolves with the port once `pattern` (one capture: the port) shows on the child's stdout. */
function readyPort(child: ChildProcess, pattern: RegExp, what: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8');
    const onData = (d: string) => {
      out += d;
      const m = pattern.exec(out);
      if (!m) return;
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      resolve(Number(m[1]));
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before its ready line`)));
  });
}

export async function startServer(name: ServerName, cpus: CpuPlan, data: string): Promise<BenchServer> {
  if (name === 'sink') {
    const port = await freePort();
    // As root, smtp-sink must drop privileges after binding (-u).
    const user = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
    const [file, argv] = cpus.pin('server', SMTP_SINK, [...user, `127.0.0.1:${port}`, '256']);
    const child = spawn(file, argv, { stdio: 'ignore' });
    await waitForPort(port);
    return { name, label: LABELS[name], port, child };
  }
  const args =
    name === 'ours'
      ? // Every message of the run stays, so the bench can count them (the default keeps 10,000).
        [MINISUITE_CLI, 'start', 'smtp', '--smtp-port', '0', '--data', data, '--smtp-max-messages', '1000000']
      : ['--import', 'tsx', path.join(PEERS, name === 'library' ? 'library-floor.ts' : 'bare-node.ts')];
  const [file, argv] = cpus.pin('server', process.execPath, args);
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'ignore'] });
  const pattern = name === 'ours' ? /^smtp listening on smtp:\/\/127\.0\.0\.1:(\d+)$/m : /^ready (\d+)$/m;
  const port = await readyPort(child, pattern, LABELS[name]);
  return { name, label: LABELS[name], port, child };
}

export function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 8_000).unref();
  });
}
