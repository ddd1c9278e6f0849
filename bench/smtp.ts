/**
 * SMTP benchmark: our server (durable Maildir storage, exchange log on) side by side with
 * Postfix's `smtp-sink` (stores nothing), both driven by Postfix's `smtp-source` with 10 KiB
 * messages from 20 parallel sessions. Bounded: a fixed message count, 127.0.0.1 only.
 * @module
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BenchResult } from './report.js';

const run = promisify(execFile);

const SMTP_SINK = '/usr/sbin/smtp-sink';
const SMTP_SOURCE = '/usr/sbin/smtp-source';
const MAIN = path.resolve(import.meta.dirname, '../dist/cli/main.js');
/** Messages per measured run, sessions in parallel, message size. */
const MESSAGES = 2000;
const SESSIONS = 20;
const MESSAGE_BYTES = 10 * 1024;
const WARMUP_MESSAGES = 200;
const RUN_TIMEOUT_MS = 120_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs smtp-source once; resolves with messages per second. */
async function source(port: number, messages: number, persistent: boolean): Promise<number> {
  const args = ['-s', String(SESSIONS), '-m', String(messages), '-l', String(MESSAGE_BYTES)];
  if (persistent) args.push('-d');
  args.push(`127.0.0.1:${port}`);
  const t0 = performance.now();
  await run(SMTP_SOURCE, args, { timeout: RUN_TIMEOUT_MS });
  return messages / ((performance.now() - t0) / 1000);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 8_000).unref();
  });
}

async function startSink(): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  // As root, smtp-sink must drop privileges after binding (-u).
  const user = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
  const child = spawn(SMTP_SINK, [...user, `127.0.0.1:${port}`, '256'], { stdio: 'ignore' });
  await waitForPort(port);
  return { port, child };
}

async function startOurs(data: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [MAIN, 'start', 'smtp', '--smtp-port', '0', '--data', data], {
    // The exchange timeline is still written (to nowhere), as in real use.
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^smtp listening on smtp:\/\/127\.0\.0\.1:(\d+)$/m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`minisuite exited (${code}) before its ready line`)));
  });
  return { port, child };
}

export async function bench(): Promise<BenchResult[]> {
  for (const tool of [SMTP_SINK, SMTP_SOURCE, MAIN])
    await fs.access(tool).catch(() => {
      throw new Error(`${tool} is missing (postfix for smtp-sink/smtp-source; npm run build for minisuite)`);
    });
  const data = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-bench-smtp-'));
  const sink = await startSink();
  const ours = await startOurs(data);
  try {
    const results: BenchResult[] = [];
    const modes = [
      { persistent: true, name: `SMTP msgs/s, persistent sessions (-d -s ${SESSIONS}, 10 KiB, durable)`, target: 0.25 },
      { persistent: false, name: `SMTP msgs/s, connection per message (-s ${SESSIONS}, 10 KiB, durable)`, target: 0.5 },
    ];
    let expected = 0;
    for (const mode of modes) {
      await source(sink.port, WARMUP_MESSAGES, mode.persistent);
      await source(ours.port, WARMUP_MESSAGES, mode.persistent);
      const peer = await source(sink.port, MESSAGES, mode.persistent);
      const mine = await source(ours.port, MESSAGES, mode.persistent);
      expected += WARMUP_MESSAGES + MESSAGES;
      const stored = (await fs.readdir(path.join(data, 'mail', 'new'))).length;
      results.push({
        name: mode.name,
        ours: mine,
        peer,
        peerName: 'smtp-sink (stores nothing)',
        unit: 'msg/s',
        higherIsBetter: true,
        target: mode.target,
        notes: `${MESSAGES} msgs; stored ${stored}/${expected} so far`,
      });
    }
    return results;
  } finally {
    await Promise.all([stop(sink.child), stop(ours.child)]);
    await fs.rm(data, { recursive: true, force: true });
  }
}
