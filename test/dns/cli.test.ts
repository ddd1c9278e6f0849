import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';

const children: CliProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await Promise.all(dirs.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
});

async function tmp(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-dns-cli-'));
  dirs.push(dir);
  return dir;
}

describe('minisuite start dns / minisuite dns query', () => {
  it('prints the ready line, answers queries, exits 0 on SIGTERM', async () => {
    const child = new CliProcess(['start', 'dns', '--dns-port', '0', '--data', await tmp()]);
    children.push(child);
    const m = await child.waitForStdout(/^dns listening on udp:\/\/127\.0\.0\.1:(\d+) tcp:\/\/127\.0\.0\.1:(\d+)$/m);
    expect(m[1]).toBe(m[2]);
    const port = Number(m[1]);
    const udp = await runCli(['dns', 'query', 'www.suite.test', '--server', `127.0.0.1:${port}`]);
    expect(udp.code).toBe(0);
    expect(udp.stdout).toMatch(/status: NOERROR/);
    expect(udp.stdout).toMatch(/;; ANSWER SECTION:\nwww\.suite\.test\.\t60\tIN\tA\t127\.0\.0\.1/);
    expect(udp.stderr).toMatch(/dns\s+client\s+127\.0\.0\.1:\d+\s+A www\.suite\.test\s+→ NOERROR A 127\.0\.0\.1/);
    const tcp = await runCli(['dns', 'query', 'suite.test', 'MX', '--server', `127.0.0.1:${port}`, '--tcp']);
    expect(tcp.code).toBe(0);
    expect(tcp.stdout).toMatch(/suite\.test\.\t60\tIN\tMX\t10 mail\.suite\.test\./);
    expect(tcp.stdout).toMatch(/\(TCP\)/);
    const nx = await runCli(['dns', 'query', 'nope.nx.suite.test', '--server', `127.0.0.1:${port}`]);
    expect(nx.code).toBe(0);
    expect(nx.stdout).toMatch(/status: NXDOMAIN/);
    const refused = await runCli(['dns', 'query', 'example.com', '--server', `127.0.0.1:${port}`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the server answered REFUSED/);
    child.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
    expect(child.stderr).toMatch(/dns\s+server\s+127\.0\.0\.1:\d+\s+A www\.suite\.test\s+→ NOERROR A 127\.0\.0\.1/);
    // Six processes one after another: on a busy machine that takes a while (nothing here measures time).
  }, 120_000);

  it('exits 2 with file:line for a bad zone file', async () => {
    const dir = await tmp();
    const zone = path.join(dir, 'bad.zone');
    await fs.writeFile(zone, '$ORIGIN x.test.\n$TTL 60\n@ SOA ns h 1 1 1 1 1\nwww MX ten mail\n');
    const r = await runCli(['start', 'dns', '--dns-port', '0', '--data', dir, '--zone', zone]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`minisuite start: ${zone}:4: MX preference 'ten' is not a number 0-65535`);
    expect(r.stdout).toBe('');
  });

  it('exits non-zero on a timeout and 2 on bad usage', async () => {
    const timeout = await runCli(['dns', 'query', 'www.suite.test', '--server', '127.0.0.1:9', '--timeout', '100']);
    expect(timeout.code).toBe(1);
    expect(timeout.stderr).toMatch(/no answer within 100 ms/);
    expect((await runCli(['dns', 'query'])).code).toBe(2);
    expect((await runCli(['dns', 'query', 'a.test', '--bogus'])).code).toBe(2);
  });
});
