import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { RawClient } from '../helpers/raw-client.js';

const ZERO_PORTS = ['--http-port', '0', '--ftp-port', '0', '--smtp-port', '0', '--dns-port', '0'];
const procs: CliProcess[] = [];
const dirs: string[] = [];

async function tmpDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-start-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const p of procs.splice(0)) p.kill('SIGKILL');
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

describe('minisuite start', () => {
  it('starts all four, prints a ready line for each, and exits 0 on SIGTERM within 5 s', async () => {
    const data = await tmpDir();
    const proc = new CliProcess(['start', ...ZERO_PORTS, '--data', data]);
    procs.push(proc);
    await proc.waitForStdout(/^dns listening on /m);
    const lines = proc.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^smtp listening on smtp:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[1]).toMatch(/^ftp listening on ftp:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[2]).toMatch(/^http listening on http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[3]).toMatch(/^dns listening on udp:\/\/127\.0\.0\.1:(\d+) tcp:\/\/127\.0\.0\.1:\1$/);
    // Served for real: the health endpoint sees every service up, and the timeline shows the request.
    const httpUrl = /http listening on (\S+)/.exec(proc.stdout)?.[1];
    const health = await fetch(`${httpUrl}/healthz`);
    expect(health.status).toBe(200);
    const t0 = Date.now();
    proc.kill('SIGTERM');
    const { code } = await proc.exited;
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(proc.stderr).toMatch(/http +server +127\.0\.0\.1:\d+ +GET \/healthz +→ 200 OK/);
  });

  it('exits 0 on SIGINT too, and writes JSON lines with --log json', async () => {
    const proc = new CliProcess(['start', 'http', '--http-port', '0', '--data', await tmpDir(), '--log', 'json']);
    procs.push(proc);
    const [, url] = await proc.waitForStdout(/http listening on (\S+)/);
    await fetch(`${url}/status/418`);
    proc.kill('SIGINT');
    expect((await proc.exited).code).toBe(0);
    const record = proc.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((r) => r['request'] === 'GET /status/418');
    expect(record).toMatchObject({ protocol: 'http', side: 'server', response: "418 I'm a Teapot", ok: false });
  });

  it('exits 2 naming the port in use, leaving nothing listening', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const busy = (blocker.address() as net.AddressInfo).port;
    // smtp and ftp start before http; they must be closed again when http fails.
    const smtpPort = await freePort();
    const r = await runCli([
      'start',
      '--smtp-port',
      String(smtpPort),
      '--ftp-port',
      '0',
      '--http-port',
      String(busy),
      '--dns-port',
      '0',
      '--data',
      await tmpDir(),
    ]);
    blocker.close();
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `minisuite start: http: port ${busy} on 127.0.0.1 is already in use; give --http-port ${busy + 1} (0 picks a free one)`,
    ]);
    await expect(RawClient.connect(smtpPort)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('exits 2 naming an unreadable zone file', async () => {
    const r = await runCli([
      'start',
      'dns',
      '--dns-port',
      '0',
      '--zone',
      '/nonexistent/x.zone',
      '--data',
      await tmpDir(),
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe("minisuite start: --zone: no such file '/nonexistent/x.zone'");
  });

  it('exits 2 with file:line for a zone file with an error', async () => {
    const dir = await tmpDir();
    const zone = path.join(dir, 'bad.zone');
    await fs.writeFile(zone, '$ORIGIN bad.test.\n$TTL 60\n@ IN SOA ns hostmaster 1 2 3 4 5\nwww IN A 999.1.1.1\n');
    const r = await runCli(['start', 'dns', '--dns-port', '0', '--zone', zone, '--data', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${zone}:4:`);
  });
});
