/**
 * The client commands over TLS against a suite with its own CA: `--cacert` and `--data` (or
 * `--suite-data` for http, whose `--data` is the body) verify the certificate and succeed;
 * with neither the certificate is still verified, so they fail with a certificate error
 * (exit 1); only `--insecure` skips verification.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Suite, startSuite } from '../../suite/start-suite.js';
import { runCli } from '../helpers/cli.js';
import { caFile } from '../tls/helpers.js';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ tls: true, files: { 'hello.txt': 'hello over tls\n' } });
});
afterAll(() => suite.close());

type Client = 'http' | 'ftp' | 'ftps' | 'smtp' | 'smtps' | 'dns';

/** The command line of each client against the suite's TLS side. */
function command(client: Client): string[] {
  switch (client) {
    case 'http':
      return ['http', 'get', `https://127.0.0.1:${suite.http.tlsPort}/files/hello.txt`];
    case 'ftp':
      return ['ftp', 'get', '--tls', `ftp://127.0.0.1:${suite.ftp.port}/hello.txt`];
    case 'ftps':
      return ['ftp', 'get', `ftps://127.0.0.1:${suite.ftp.tlsPort}/hello.txt`];
    case 'smtps':
      return [
        'smtp',
        'send',
        '--tls',
        '--to',
        'a@suite.test',
        '--text',
        'x',
        '--server',
        `127.0.0.1:${suite.smtp.tlsPort}`,
      ];
    case 'smtp':
      return [
        'smtp',
        'send',
        '--starttls',
        '--to',
        'a@suite.test',
        '--text',
        'x',
        '--server',
        `127.0.0.1:${suite.smtp.port}`,
      ];
    case 'dns':
      return ['dns', 'query', 'www.suite.test', 'A', '--tls', '--server', `127.0.0.1:${suite.dns.tlsPort}`];
  }
}

/** What each prints on stdout when it worked. */
const SUCCESS: Record<Client, RegExp> = {
  http: /^hello over tls\n$/,
  ftp: /^hello over tls\n$/,
  ftps: /^hello over tls\n$/,
  smtps: /^250 /,
  smtp: /^250 /,
  dns: /127\.0\.0\.1/,
};

const CLIENTS: Client[] = ['http', 'ftp', 'ftps', 'smtp', 'smtps', 'dns'];

/** The command's name in its messages. */
const COMMAND: Record<Client, string> = {
  http: 'http',
  ftp: 'ftp',
  ftps: 'ftp',
  smtp: 'smtp',
  smtps: 'smtp',
  dns: 'dns',
};

describe.each(CLIENTS)('minisuite %s over TLS', (client) => {
  const dataFlag = client === 'http' ? '--suite-data' : '--data';

  it('verifies the server against --cacert', async () => {
    const r = await runCli([...command(client), '--cacert', caFile(suite)]);
    expect(r.stderr).not.toMatch(/certificate|warning/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(SUCCESS[client]);
  });

  it(`trusts the suite's own CA given its data folder (${dataFlag})`, async () => {
    expect(path.dirname(path.dirname(caFile(suite)))).toBe(suite.dataDir);
    const r = await runCli([...command(client), dataFlag, suite.dataDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(SUCCESS[client]);
  });

  it('still verifies without either, and fails with a certificate error, exit 1', async () => {
    const r = await runCli(command(client));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('minisuite'));
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^minisuite ${COMMAND[client]}\\b.*certificate[^;]*; the server's certificate is not trusted: give --cacert FILE`,
        ),
      ),
    ]);
  });

  it('skips verification only with --insecure', async () => {
    const r = await runCli([...command(client), '--insecure']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(SUCCESS[client]);
  });
});

describe('trust flags are checked before connecting', () => {
  it('names a data folder without a CA and says how to make one', async () => {
    const r = await runCli([...command('smtp'), '--data', '/nonexistent/data']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^minisuite smtp: --data \/nonexistent\/data: no CA in \/nonexistent\/data\/tls\/ca\.pem; start the suite with --tls --data \/nonexistent\/data \(or run minisuite tls ca --data \/nonexistent\/data\)/,
      ),
    ]);
  });

  it('refuses --insecure beside a CA, and a CA without TLS', async () => {
    const both = await runCli([...command('dns'), '--insecure', '--cacert', caFile(suite)]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^minisuite dns: --insecure skips verification/);
    const plain = await runCli(['ftp', 'ls', `ftp://127.0.0.1:${suite.ftp.port}/`, '--cacert', caFile(suite)]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/^minisuite ftp ls: .*apply to TLS: add --tls/);
  });
});
