import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FtpServer } from '../../protocols/ftp/server.js';
import { ExchangeLog } from '../../shared/exchange.js';
import { localCaMaterial } from '../../shared/tls-ca.js';
import { type Suite, startSuite } from '../../suite/start-suite.js';
import { caFile, portOf, runTool } from '../tls/helpers.js';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ protocols: ['http', 'dns'], tls: true });
});
afterAll(() => suite.close());

describe('DNS over TLS and over HTTPS, verified against the suite CA', () => {
  it('answers kdig +tls (RFC 7858) and names tls:// in the ready line', async () => {
    const dot = suite.dns.tlsPort ?? 0;
    expect(suite.dns.urls()).toContain(`tls://127.0.0.1:${dot}`);
    const out = await runTool('kdig', [
      '@127.0.0.1',
      '-p',
      String(dot),
      `+tls-ca=${caFile(suite)}`,
      '+tls-hostname=localhost',
      '+short',
      'www.suite.test',
      'A',
    ]);
    expect(out.stdout.trim()).toBe('127.0.0.1');
    const record = await suite.waitFor('dns', (r) => r.request === 'A www.suite.test' && r.transport === 'tls');
    expect(record.session).toMatch(/^dot-\d+$/);
    // The wrong name fails verification.
    const wrong = await runTool('kdig', [
      '@127.0.0.1',
      '-p',
      String(dot),
      `+tls-ca=${caFile(suite)}`,
      '+tls-hostname=wrong.example.test',
      'www.suite.test',
    ]);
    expect(wrong.stdout + wrong.stderr).toMatch(/failed|error|certificate/i);
    expect(wrong.stdout).not.toMatch(/ANSWER SECTION/);
  });

  it('answers kdig +https (RFC 8484 over h2) with POST and GET', async () => {
    const port = portOf(suite.http.httpsUrl);
    for (const extra of [[], ['+https-get']]) {
      const out = await runTool('kdig', [
        '@127.0.0.1',
        '-p',
        String(port),
        '+https',
        ...extra,
        `+tls-ca=${caFile(suite)}`,
        '+tls-hostname=localhost',
        '+short',
        'mail.suite.test',
        'A',
      ]);
      expect(out.stdout.trim()).toBe('127.0.0.1');
    }
    const http = await suite.waitFor('http', (r) => r.request.startsWith('GET /dns-query?dns='));
    expect(http.transport).toBe('tls');
    expect(http.response).toBe('200 OK');
  });

  it("answers BIND's dig +https, and the SRV records name the TLS ports", async () => {
    const port = portOf(suite.http.httpsUrl);
    const out = await runTool('dig', [
      '@127.0.0.1',
      '-p',
      String(port),
      '+https',
      `+tls-ca=${caFile(suite)}`,
      '+tls-hostname=localhost',
      '+short',
      '_https._tcp.suite.test',
      'SRV',
    ]);
    expect(out.stdout.trim()).toBe(`0 0 ${port} www.suite.test.`);
    const dot = await runTool('dig', [
      '@127.0.0.1',
      '-p',
      String(suite.dns.port),
      '+short',
      '_domain-s._tcp.suite.test',
      'SRV',
    ]);
    expect(dot.stdout.trim()).toBe(`0 0 ${suite.dns.tlsPort} dns.suite.test.`);
  });

  it('refuses DoH on plain HTTP and bad DoH requests with clear statuses', async () => {
    const plain = await fetch(`${suite.http.url}/dns-query?dns=AAAB`);
    expect(plain.status).toBe(404);
    const curl = (...args: string[]) =>
      runTool('curl', ['-sS', '--cacert', caFile(suite), '-o', '/dev/null', '-w', '%{http_code}', ...args]);
    const https = suite.http.httpsUrl?.replace('127.0.0.1', 'localhost');
    expect((await curl(`${https}/dns-query`)).stdout).toBe('400');
    expect((await curl(`${https}/dns-query?dns=!!`)).stdout).toBe('400');
    expect((await curl('-X', 'POST', '-H', 'Content-Type: text/plain', '-d', 'x', `${https}/dns-query`)).stdout).toBe(
      '415',
    );
    expect((await curl('-X', 'PUT', `${https}/dns-query`)).stdout).toBe('405');
  });
});

describe('FTPS with lftp and curl, data connections resuming the control session', () => {
  let dir: string;
  let server: FtpServer;
  let ca: string;
  const log = new ExchangeLog();
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-ftps-'));
    const material = await localCaMaterial(path.join(dir, 'tls'), ['localhost', '127.0.0.1']);
    ca = material.caFile;
    await fs.mkdir(path.join(dir, 'files'));
    await fs.writeFile(path.join(dir, 'files', 'big.bin'), Buffer.alloc(256 * 1024, 7));
    // vsftpd's require_ssl_reuse: a data connection that does not resume is refused with 522.
    server = new FtpServer({
      root: path.join(dir, 'files'),
      uploadDir: path.join(dir, 'up'),
      tls: material,
      requireTlsSessionReuse: true,
      log,
      users: [{ name: 'alice', pass: 'secret' }],
    });
    await server.listen();
  });
  afterAll(async () => {
    await server.close({ graceMs: 0 });
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('serves lftp over implicit ftps:// and AUTH TLS with verification, PROT P and session reuse', async () => {
    for (const url of [`ftps://localhost:${server.ftpsPort}`, `ftp://localhost:${server.port}`]) {
      const out = await runTool('lftp', [
        '-c',
        [
          `set ssl:ca-file ${ca}; set ssl:verify-certificate yes; set ftp:ssl-force yes; set ftp:ssl-protect-data yes;`,
          'set net:max-retries 1; set net:timeout 20;',
          `open -u alice,secret ${url}; cls -1; cat big.bin | wc -c`,
        ].join(' '),
      ]);
      expect(out.stderr).toBe('');
      expect(out.stdout.split('\n').map((l) => l.trim())).toEqual(['big.bin', String(256 * 1024), '']);
    }
  });

  it('serves curl over ftps:// with session reuse, and refuses a client that does not resume', async () => {
    const got = await runTool('curl', [
      '-sS',
      '--cacert',
      ca,
      '-u',
      'alice:secret',
      `ftps://localhost:${server.ftpsPort}/big.bin`,
      '-o',
      '/dev/null',
      '-w',
      '%{size_download}',
    ]);
    expect(got.stderr).toBe('');
    expect(got.stdout).toBe(String(256 * 1024));
    // Python's ftplib opens data connections without the control session: 522.
    const script = `
import ftplib, io, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
ftp = ftplib.FTP_TLS(context=ctx, timeout=20)
ftp.connect('localhost', int(sys.argv[1]))
ftp.login('alice', 'secret')
ftp.prot_p()
try:
    ftp.retrbinary('RETR big.bin', io.BytesIO().write)
    print('served')
except Exception as e:
    print('refused', type(e).__name__)
`;
    const py = await runTool('python3', ['-c', script, String(server.port), ca]);
    expect(py.stdout.trim()).toMatch(/^refused /);
    const refused = log.toArray().find((r) => r.request === 'RETR big.bin' && r.response.startsWith('522 '));
    expect(refused?.response).toBe('522 Data connection must resume the TLS session of the control connection');
  });
});
