import http2 from 'node:http2';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Suite, startSuite } from '../../suite/start-suite.js';
import { caFile, portOf, runTool } from './helpers.js';

let suite: Suite;
let port: number;
beforeAll(async () => {
  suite = await startSuite({
    protocols: ['http', 'smtp'],
    tls: true,
    tlsNames: ['api.example.test'],
    files: { 'a.txt': 'hello over tls\n' },
  });
  port = portOf(suite.http.httpsUrl);
});
afterAll(() => suite.close());

const curl = (...args: string[]) => runTool('curl', ['-sS', '--max-time', '20', '--cacert', caFile(suite), ...args]);

describe('HTTPS with the suite CA', () => {
  it('names the HTTPS URL in the ready line, and exposes the CA in the test API', () => {
    expect(suite.http.urls()).toEqual([suite.http.url, `https://127.0.0.1:${port}`]);
    expect(suite.tls?.ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(suite.tls?.names).toEqual(
      expect.arrayContaining(['localhost', '127.0.0.1', '::1', 'api.example.test', 'www.suite.test']),
    );
  });

  it('serves the console, the API and files to curl over HTTP/2 and HTTP/1.1, verified', async () => {
    // Twice: the second answer comes from the small-file cache.
    for (let i = 0; i < 2; i++) {
      const h2 = await curl(
        '-w',
        '\\n%{http_version} %{http_code} %{content_type}',
        `https://localhost:${port}/files/a.txt`,
      );
      expect(h2.stderr).toBe('');
      expect(h2.stdout).toMatch(/^hello over tls\n\n2 200 text\/plain/);
    }
    const h1 = await curl('--http1.1', '-w', '\\n%{http_version} %{http_code}', `https://127.0.0.1:${port}/healthz`);
    expect(h1.stdout).toMatch(/"status":"ok"[\s\S]*\n1\.1 200$/);
    const page = await curl('-w', '\\n%{http_code}', `https://localhost:${port}/`);
    expect(page.stdout).toMatch(/<html[\s\S]*\n200$/i);
    const api = await curl(`https://localhost:${port}/api/exchanges?protocol=http&limit=100`);
    const records = JSON.parse(api.stdout) as { transport: string; request: string; session: string }[];
    const served = records.find((r) => r.request === 'GET /files/a.txt');
    expect(served?.transport).toBe('tls');
    expect(served?.session).toMatch(/^https-\d+$/);
  });

  it('verifies under a --tls-name name, and fails under a name the certificate lacks', async () => {
    const good = await curl(
      '--resolve',
      `api.example.test:${port}:127.0.0.1`,
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `https://api.example.test:${port}/healthz`,
    );
    expect(good.stdout).toBe('200');
    const bad = await curl(
      '--resolve',
      `wrong.example.test:${port}:127.0.0.1`,
      `https://wrong.example.test:${port}/healthz`,
    );
    expect(bad.code).toBe(60);
    expect(bad.stderr).toMatch(/no alternative certificate subject name matches/);
    // Without the CA, curl refuses the certificate: verification is really on.
    const untrusted = await runTool('curl', ['-sS', '--max-time', '20', `https://localhost:${port}/healthz`]);
    expect(untrusted.code).toBe(60);
  });

  it("serves Python's http.client with the default context and the CA as cafile", async () => {
    const script = `
import http.client, json, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
conn = http.client.HTTPSConnection('localhost', int(sys.argv[1]), context=ctx, timeout=20)
conn.request('POST', '/echo', body=b'ping', headers={'Content-Type': 'text/plain'})
r = conn.getresponse()
body = json.loads(r.read())
print(json.dumps([r.status, conn.sock.version(), body.get('body')]))
try:
    bad = http.client.HTTPSConnection('127.0.0.2', int(sys.argv[1]), context=ctx, timeout=20)
    bad.request('GET', '/healthz')
    print('unverified')
except ssl.SSLCertVerificationError as e:
    print('refused', e.verify_code)
except OSError as e:
    print('refused', type(e).__name__)
`;
    const out = await runTool('python3', ['-c', script, String(port), caFile(suite)]);
    expect(out.stderr).toBe('');
    const [first, second] = out.stdout.trim().split('\n');
    const [status, version, body] = JSON.parse(first ?? '[]') as [number, string, string];
    expect(status).toBe(200);
    expect(version).toMatch(/^TLSv1\.[23]$/);
    expect(body).toBe('ping');
    expect(second).toMatch(/^refused/);
  });

  it('serves node clients over h2 (ALPN) and HTTP/1.1 with the CA', async () => {
    const ca = suite.tls?.ca ?? '';
    const session = http2.connect(`https://localhost:${port}`, { ca });
    const h2 = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = session.request({ ':path': '/files/a.txt' });
      let body = '';
      let status = 0;
      req.on('response', (h) => {
        status = Number(h[':status']);
      });
      req.setEncoding('utf8');
      req.on('data', (d: string) => {
        body += d;
      });
      req.on('end', () => resolve({ status, body }));
      req.on('error', reject);
    });
    session.close();
    expect(h2).toEqual({ status: 200, body: 'hello over tls\n' });
    const h1 = await new Promise<{ alpn: string | false | null; status: number }>((resolve, reject) => {
      https
        .get(
          {
            host: '127.0.0.1',
            port,
            path: '/healthz',
            servername: 'localhost',
            agent: new https.Agent({ ca, ALPNProtocols: ['http/1.1'] }),
          },
          (res) => {
            res.resume();
            resolve({ alpn: (res.socket as import('node:tls').TLSSocket).alpnProtocol, status: res.statusCode ?? 0 });
          },
        )
        .on('error', reject);
    });
    expect(h1).toEqual({ alpn: 'http/1.1', status: 200 });
  });

  it('starts no HTTPS listener without tls', async () => {
    const plain = await startSuite({ protocols: ['http'] });
    try {
      expect(plain.http.httpsUrl).toBeUndefined();
      expect(plain.http.urls()).toEqual([plain.http.url]);
      expect(plain.tls).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});
