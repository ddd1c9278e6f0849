/**
 * The request-body attack of issue #17, against the real `minisuite start http` process: 100
 * connections from four addresses each announce a 10 MiB `/echo` body, send 9 MiB of it and
 * stall. The process's memory stays within the body budget (64 MiB in flight) and another
 * client (127.0.0.2) is served throughout; once the attackers leave, memory comes back to within
 * 16 MiB of its start.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_BODY_BYTES_IN_FLIGHT } from '../../protocols/http/limits.js';
import { CliProcess } from '../helpers/cli.js';

const MiB = 1024 * 1024;
/** What the process may grow by beyond the bodies in flight (sockets, parser buffers, GC slack). */
const OVERHEAD = 64 * MiB;
/**
 * How far above its start RSS may stay once the attackers are gone (measured: below its start,
 * as the GC also shrinks the heap; it was start + 56 MiB before the server asked for a GC).
 */
const AFTER_BOUND = 16 * MiB;

let cli: CliProcess;
let port: number;
let dataDir: string;

async function rss(): Promise<number> {
  const status = await fs.readFile(`/proc/${cli.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
}

function request(method: string, target: string, localAddress: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: target, localAddress, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${target} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * One attacker: announces 10 MiB, sends 9 MiB as fast as the server reads, then stalls. `settled`
 * resolves once all 9 MiB have left (the server took them in) or the server closed the connection.
 */
function attacker(localAddress: string): Promise<{ socket: net.Socket; settled: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress }, () => {
      socket.write(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${10 * MiB}\r\n\r\n`);
      const chunk = Buffer.alloc(MiB, 0x61);
      let sent = 0;
      const settled = new Promise<void>((done) => {
        socket.once('close', () => done());
        const pump = () => {
          while (sent < 9 && !socket.destroyed) {
            sent++;
            if (!socket.write(chunk)) return void socket.once('drain', pump);
          }
          if (sent === 9) socket.write('', () => done());
        };
        pump();
      });
      resolve({ socket, settled });
    });
    socket.on('error', () => {});
    socket.once('error', reject);
  });
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-budget-'));
  cli = new CliProcess(['start', 'http', '--http-port', '0', '--data', dataDir]);
  port = Number((await cli.waitForStdout(/http listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
});
afterAll(async () => {
  cli.kill('SIGKILL');
  await cli.exited;
  await fs.rm(dataDir, { recursive: true, force: true });
});

it('keeps memory within the body budget under 100 stalled 9 MiB bodies and serves another client', async () => {
  expect(await request('POST', '/echo', '127.0.0.2', 'warm-up')).toBe(200);
  const before = await rss();
  const addresses = ['127.0.0.1', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
  const attackers = await Promise.all(Array.from({ length: 100 }, (_, i) => attacker(addresses[i % 4] as string)));
  const sockets = attackers.map((a) => a.socket);
  try {
    // Every admitted body has reached 9 MiB (the kernel buffers of a stalled one hold a few MiB
    // more at most), the others were refused.
    await Promise.all(attackers.map((a) => a.settled));
    let peak = await rss();
    expect(await request('GET', '/healthz', '127.0.0.2')).toBe(200);
    expect(await request('POST', '/echo', '127.0.0.2', 'a small body')).toBe(200);
    expect(await request('GET', '/api/exchanges?limit=1', '127.0.0.2')).toBe(200);
    peak = Math.max(peak, await rss());
    expect(peak - before).toBeLessThan(MAX_BODY_BYTES_IN_FLIGHT + OVERHEAD);
  } finally {
    for (const s of sockets) s.destroy();
  }
  // After the load: memory comes back near where it started. The bodies let go add up past
  // RECLAIM_AFTER_BYTES, so the server asks for a full GC a moment later (body-reclaim.ts).
  let after = await rss();
  for (let i = 0; i < 200 && after - before >= AFTER_BOUND; i++) {
    await request('GET', '/healthz', '127.0.0.2');
    await new Promise((r) => setTimeout(r, 100));
    after = await rss();
  }
  expect(after - before).toBeLessThan(AFTER_BOUND);
}, 120_000);
