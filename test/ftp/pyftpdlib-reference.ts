/**
 * pyftpdlib, the FTP reference (Debian's python3-pyftpdlib, through /usr/bin/python3), started on
 * a free loopback port over `dir` with the test account, for tests that send both servers the
 * same script.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { freePort } from '../helpers/free-port.js';
import { PASS, run, USER } from './helpers.js';

export interface Pyftpdlib {
  readonly port: number;
  readonly dir: string;
  /** Stops the server and removes `dir`. */
  close(): Promise<void>;
}

/** Resolves once something accepts TCP connections on `port` (pyftpdlib prints nothing to wait for). */
async function listening(port: number): Promise<void> {
  for (;;) {
    const probe = await run('/usr/bin/python3', [
      '-c',
      `import socket; socket.create_connection(('127.0.0.1', ${port}), timeout=5).close()`,
    ]);
    if (probe.code === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts pyftpdlib over `dir` (`write`: the account may write, pyftpdlib's `-w`). */
export async function startPyftpdlib(dir: string, options: { write?: boolean } = {}): Promise<Pyftpdlib> {
  const port = await freePort();
  const args = ['-m', 'pyftpdlib', '-i', '127.0.0.1', '-p', String(port), '-d', dir, '-u', USER, '-P', PASS];
  if (options.write) args.push('-w');
  const child: ChildProcess = spawn('/usr/bin/python3', args, { stdio: 'ignore' });
  await listening(port);
  return {
    port,
    dir,
    async close() {
      child.kill('SIGKILL');
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
