/**
 * The reference static file server for differential tests: Debian's nginx (`/usr/sbin/nginx`),
 * in the foreground on a free 127.0.0.1 port, with a generated configuration whose pid file,
 * logs and temporary folders all live in one fresh folder. `root` is served at `/files/` (as
 * our `/files/` serves `DATA/files`), directories listed (`autoindex`).
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';

export const NGINX = '/usr/sbin/nginx';

export interface NginxReference {
  readonly port: number;
  close(): Promise<void>;
}

function config(dir: string, dataDir: string, port: number): string {
  const temp = (name: string) => `${name}_temp_path ${path.join(dir, 'tmp', name)};`;
  return `daemon off;
master_process on;
worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log stderr notice;
events { worker_connections 128; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  server {
    listen 127.0.0.1:${port};
    root ${dataDir};
    location /files/ { autoindex on; }
  }
}
`;
}

/**
 * Starts nginx serving `dataDir/files` at `/files/`; resolves once the master has bound its port
 * and started its worker (it says so on stderr at `notice` level).
 */
export async function startNginx(dataDir: string, timeoutMs = 60_000): Promise<NginxReference> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-nginx-'));
  await fs.mkdir(path.join(dir, 'tmp'));
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  await fs.writeFile(conf, config(dir, dataDir, port));
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await fs.rm(dir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`nginx did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const fail = (err: Error) => {
      clearTimeout(timer);
      void close().then(() => reject(err));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!/start worker process/.test(output)) return;
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.stderr?.resume();
      child.off('exit', onExit);
      resolve({ port, close });
    };
    const onExit = (code: number | null) => fail(new Error(`nginx exited with ${code}:\n${output}`));
    child.stderr?.on('data', onData);
    child.once('error', fail);
    child.once('exit', onExit);
  });
}
