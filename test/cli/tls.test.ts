import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';
import { runTool } from '../tls/helpers.js';

const procs: CliProcess[] = [];
const dirs: string[] = [];

async function tmpDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-tlscli-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const p of procs.splice(0)) p.kill('SIGKILL');
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

describe('minisuite tls ca', () => {
  it('prints the data folder CA on stdout and the trust one-liners on stderr, the same CA each time', async () => {
    const data = await tmpDir();
    const first = await runCli(['tls', 'ca', '--data', data]);
    expect(first.code).toBe(0);
    const caFile = path.join(data, 'tls', 'ca.pem');
    expect(first.stdout).toBe(await fs.readFile(caFile, 'utf8'));
    expect(first.stdout).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    for (const line of [
      `export NODE_EXTRA_CA_CERTS=${caFile}`,
      `curl --cacert ${caFile} `,
      `SSL_CERT_FILE=${caFile}`,
      `keytool -importcert -noprompt -alias minisuite -file ${caFile} `,
    ])
      expect(first.stderr).toContain(line);
    const key = await fs.readFile(path.join(data, 'tls', 'ca-key.pem'), 'utf8');
    const keyBody = key.split('\n')[1] ?? 'missing';
    expect(first.stdout + first.stderr).not.toContain('PRIVATE KEY');
    expect(first.stdout + first.stderr).not.toContain(keyBody);
    const second = await runCli(['tls', 'ca', '--data', data]);
    expect(second.stdout).toBe(first.stdout);
  });

  it.each([[['tls']], [['tls', 'leaf']], [['tls', 'ca', '--bogus']]])('refuses %j with exit 2', async (args) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^minisuite tls: /);
    expect(result.stdout).toBe('');
  });

  it('start --tls names the HTTPS URL, serves it with a leaf from the same CA, and keeps the CA across restarts', async () => {
    const data = await tmpDir();
    const ca = (await runCli(['tls', 'ca', '--data', data])).stdout;
    for (let run = 0; run < 2; run++) {
      const proc = new CliProcess(['start', 'http', '--tls', '--http-port', '0', '--https-port', '0', '--data', data]);
      procs.push(proc);
      const [, url] = await proc.waitForStdout(/^http listening on http:\/\/\S+ (https:\/\/127\.0\.0\.1:\d+)$/m);
      const out = await runTool('curl', ['-sS', '--cacert', path.join(data, 'tls', 'ca.pem'), `${url}/healthz`]);
      expect(out.stderr).toBe('');
      expect(JSON.parse(out.stdout)).toMatchObject({ status: 'ok' });
      expect(await fs.readFile(path.join(data, 'tls', 'ca.pem'), 'utf8')).toBe(ca);
      expect(proc.stdout + proc.stderr).not.toContain('PRIVATE KEY');
      proc.kill('SIGTERM');
      expect((await proc.exited).code).toBe(0);
    }
  });
});
