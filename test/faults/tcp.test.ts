import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { suiteStarter } from './helpers.js';

const exec = promisify(execFile);
const start = suiteStarter(['http', 'ftp', 'smtp', 'dns']);
const LATENCY_MS = 250;

/** Milliseconds from before connecting until the first byte from the server. */
async function firstByte(port: number, send?: Buffer): Promise<number> {
  const t0 = performance.now();
  const socket = net.connect(port, '127.0.0.1');
  if (send) socket.write(send);
  await new Promise((resolve, reject) => {
    socket.once('data', resolve);
    socket.once('error', reject);
  });
  socket.destroy();
  return performance.now() - t0;
}

/** A DNS query for www.suite.test A over TCP (RFC 7766 length prefix). */
function dnsTcpQuery(): Buffer {
  const name = Buffer.from([3, ...Buffer.from('www'), 5, ...Buffer.from('suite'), 4, ...Buffer.from('test'), 0]);
  const message = Buffer.concat([
    Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    name,
    Buffer.from([0, 1, 0, 1]),
  ]);
  const out = Buffer.alloc(2 + message.length);
  out.writeUInt16BE(message.length, 0);
  message.copy(out, 2);
  return out;
}

describe('TCP toxics for every TCP protocol', () => {
  it('added latency: each client waits at least the latency (measured / configured ≥ 0.95)', async () => {
    const suite = await start();
    for (const protocol of ['smtp', 'ftp', 'http', 'dns'] as const)
      suite.faults.add({ protocol, scope: 'connection', action: { latencyMs: LATENCY_MS } });
    const ratios = {
      smtp: (await firstByte(suite.smtp.port)) / LATENCY_MS,
      ftp: (await firstByte(suite.ftp.port)) / LATENCY_MS,
      http: (await firstByte(suite.http.port, Buffer.from('GET /headers HTTP/1.1\r\nHost: x\r\n\r\n'))) / LATENCY_MS,
      dns: (await firstByte(suite.dns.port, dnsTcpQuery())) / LATENCY_MS,
    };
    for (const ratio of Object.values(ratios)) expect(ratio).toBeGreaterThanOrEqual(0.95);
    const { stdout } = await exec('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{time_starttransfer}',
      `${suite.http.url}/headers`,
    ]);
    expect((Number(stdout) * 1000) / LATENCY_MS).toBeGreaterThanOrEqual(0.95);
    const records = suite.exchanges.filter((r) => r.side === 'server' && r.fault !== undefined);
    expect(new Set(records.map((r) => r.protocol))).toEqual(new Set(['smtp', 'ftp', 'http', 'dns']));
  });

  it('reset, close after N bytes and accept-then-silent reach the clients of each protocol', async () => {
    const suite = await start();
    suite.faults.add({ protocol: 'smtp', scope: 'connection', action: { closeAfterBytes: 4 }, times: 1 });
    const mail = nodemailer.createTransport({ host: '127.0.0.1', port: suite.smtp.port, ignoreTLS: true });
    await expect(mail.sendMail({ from: 'a@x.test', to: 'b@y.test', text: 'x' })).rejects.toThrow();
    await mail.sendMail({ from: 'a@x.test', to: 'b@y.test', text: 'x' });
    suite.faults.add({ protocol: 'http', scope: 'connection', action: { reset: true }, times: 1 });
    const reset = await exec('curl', ['-s', `${suite.http.url}/headers`]).then(
      () => 0,
      (e: { code: number }) => e.code,
    );
    // Reset at accept: curl may see it while connecting (7) or as an empty reply / receive failure.
    expect([7, 52, 56]).toContain(reset);
    suite.faults.add({ protocol: 'ftp', scope: 'connection', action: { drop: true }, times: 1 });
    const silent = await exec('curl', ['-s', '--max-time', '1', `ftp://127.0.0.1:${suite.ftp.port}/`]).then(
      () => 0,
      (e: { code: number }) => e.code,
    );
    expect(silent).toBe(28);
    expect((await suite.smtp.messages()).length).toBe(1);
  });
});

describe('rules added and removed under load', () => {
  it('HTTP and SMTP keep serving, no mail is lost or doubled, and the server never crashes', async () => {
    const suite = await start();
    let stop = false;
    const churn = (async () => {
      const actions = [
        { status: 503 },
        { reset: true },
        { closeAfterBytes: 10 },
        { bandwidthBps: 100_000, sliceBytes: 100 },
        { delayMs: 5 },
      ];
      for (let i = 0; !stop; i++) {
        const http = suite.faults.add({
          protocol: 'http',
          action: actions[i % actions.length]!,
          probability: 0.5,
          seed: i,
        });
        const smtp = suite.faults.add({
          protocol: 'smtp',
          match: { command: 'RCPT' },
          action: { reply: '451 later' },
          probability: 0.3,
          seed: i,
        });
        await new Promise((r) => setTimeout(r, 5));
        http.remove();
        smtp.remove();
        if (i % 7 === 0) suite.faults.clear();
      }
    })();
    const outcomes = { ok: 0, failed: 0 };
    const fetchLoop = async () => {
      for (let i = 0; i < 40; i++) {
        try {
          const res = await fetch(`${suite.http.url}/bytes/2000`);
          await res.arrayBuffer();
          outcomes.ok++;
        } catch {
          outcomes.failed++;
        }
      }
    };
    let accepted = 0;
    const mailLoop = async () => {
      const mail = nodemailer.createTransport({ host: '127.0.0.1', port: suite.smtp.port, ignoreTLS: true });
      for (let i = 0; i < 15; i++) {
        try {
          await mail.sendMail({ from: 'a@x.test', to: 'b@y.test', subject: `m${i}`, text: 'x' });
          accepted++;
        } catch {
          // refused by a fault: must not be stored
        }
      }
    };
    await Promise.all([fetchLoop(), fetchLoop(), fetchLoop(), fetchLoop(), mailLoop(), mailLoop()]);
    stop = true;
    await churn;
    suite.faults.clear();
    expect(outcomes.ok + outcomes.failed).toBe(160);
    expect(outcomes.ok).toBeGreaterThan(0);
    expect((await suite.smtp.messages()).length).toBe(accepted);
    expect((await fetch(`${suite.http.url}/healthz`)).status).toBe(200);
    expect(suite.http.requests().length).toBeGreaterThan(0);
  }, 120_000);
});
