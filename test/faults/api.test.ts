import net from 'node:net';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { parseStartArgs } from '../../cli/start-args.js';
import { resolveConfig } from '../../suite/config.js';
import { startSuite } from '../../suite/start-suite.js';
import { suiteStarter } from './helpers.js';

const start = suiteStarter(['http', 'smtp']);

async function post(url: string, body: string, type = 'application/json') {
  // A text body needs the console's CSRF header (origin-guard.ts); JSON does not.
  const headers = { 'Content-Type': type, ...(type === 'text/plain' ? { 'X-Minisuite': '1' } : {}) };
  const res = await fetch(`${url}/api/faults`, { method: 'POST', body, headers });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('/api/faults', () => {
  it('adds (JSON or one line), lists, shows, removes; a bad rule is 400 naming the field', async () => {
    const suite = await start();
    const url = suite.http.url;
    const added = await post(
      url,
      JSON.stringify({ protocol: 'smtp', match: { command: 'RCPT' }, action: { reply: '451 later' } }),
    );
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ id: 'f1', hits: 0, protocol: 'smtp', scope: 'exchange' });
    const line = await post(url, 'http GET /status/* status=503 header.Retry-After=5', 'text/plain');
    expect(line.status).toBe(201);
    expect(line.json).toMatchObject({ id: 'f2', action: { status: 503, headers: { 'Retry-After': '5' } } });
    expect((await post(url, JSON.stringify({ protocol: 'http', action: { status: 99 } }))).json).toEqual({
      error: expect.stringMatching(/^action\.status: /),
    });
    expect((await post(url, '{nope')).status).toBe(400);
    expect((await post(url, 'http GET status=x', 'text/plain')).json).toEqual({
      error: 'action.status: expected a number, got "x"',
    });
    const list = (await (await fetch(`${url}/api/faults`)).json()) as { id: string }[];
    expect(list.map((r) => r.id)).toEqual(['f1', 'f2']);
    expect((await fetch(`${url}/status/200`)).status).toBe(503);
    expect(((await (await fetch(`${url}/api/faults/f2`)).json()) as { hits: number }).hits).toBe(1);
    expect((await fetch(`${url}/api/faults/f1`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${url}/api/faults/f1`, { method: 'DELETE' })).status).toBe(404);
    expect(await (await fetch(`${url}/api/faults`, { method: 'DELETE' })).json()).toEqual({ deleted: 1 });
    expect(await (await fetch(`${url}/api/faults`)).json()).toEqual([]);
  });

  it('a rule on every HTTP path leaves /api/faults working, and /metrics counts faults by rule', async () => {
    const suite = await start();
    const url = suite.http.url;
    const all = suite.faults.add({ protocol: 'http', match: { target: '/**' }, action: { status: 500 } });
    expect((await fetch(`${url}/healthz`)).status).toBe(500);
    const rcpt = suite.faults.add({ protocol: 'smtp', match: { command: 'RCPT' }, action: { reply: '450 busy' } });
    const mail = nodemailer.createTransport({ host: '127.0.0.1', port: suite.smtp.port, ignoreTLS: true });
    await expect(mail.sendMail({ from: 'a@x.test', to: 'b@y.test', text: 'x' })).rejects.toMatchObject({
      responseCode: 450,
    });
    expect(all.remove()).toBe(true);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain(`minisuite_faults_total{protocol="http",rule="${all.id}"} 1`);
    expect(metrics).toContain(`minisuite_faults_total{protocol="smtp",rule="${rcpt.id}"} 1`);
    expect(all.hits).toBe(1);
  });
});

describe('rules from the config and --fault', () => {
  it('--fault lines are checked at parse time, naming the flag and the field', () => {
    const args = parseStartArgs(['--fault', 'dns A drop', '--fault', 'smtp RCPT *@x.test reply="451 later" times=2']);
    expect(resolveConfig(...args.layers).faults).toEqual([
      { protocol: 'dns', match: { command: 'A' }, action: { drop: true } },
      { protocol: 'smtp', match: { command: 'RCPT', target: '*@x.test' }, action: { reply: '451 later' }, times: 2 },
    ]);
    expect(() => parseStartArgs(['--fault', 'dns A rcode=BOGUS'])).toThrow(
      /^--fault: 'dns A rcode=BOGUS': action\.rcode: unknown rcode BOGUS/,
    );
    expect(() => parseStartArgs(['--fault', 'gopher x'])).toThrow(/^--fault: 'gopher x': protocol: must be one of/);
  });

  it('a bad rule in the config stops the start, naming faults[i] and the field; good ones are in force', async () => {
    await expect(
      startSuite({
        protocols: ['dns'],
        faults: [
          { protocol: 'dns', action: { drop: true } },
          { protocol: 'dns', action: {} },
        ],
      }),
    ).rejects.toThrow(/^faults\[1\]\.action: says nothing to do$/);
    const suite = await start({
      faults: [{ protocol: 'smtp', match: { command: 'CONNECT' }, action: { reply: '554 go away' } }],
    });
    const socket = net.connect(suite.smtp.port, '127.0.0.1');
    const greeting = await new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())));
    socket.destroy();
    expect(greeting).toBe('554 go away\r\n');
    expect(suite.faults.list().map((r) => r.id)).toEqual(['f1']);
  });
});
