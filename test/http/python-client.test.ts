import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHttp, type TestHttp } from './helpers.js';

const run = promisify(execFile);

// Python's stdlib http.client: one HTTPConnection (keep-alive) for several requests.
const SCRIPT = `
import http.client, json, sys
conn = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=20)
out = {}
conn.request('GET', '/files/a.txt')
r = conn.getresponse(); out['get'] = [r.status, r.read().decode(), r.getheader('Content-Type')]
conn.request('GET', '/files/a.txt', headers={'Range': 'bytes=6-'})
r = conn.getresponse(); out['range'] = [r.status, r.read().decode(), r.getheader('Content-Range')]
conn.request('HEAD', '/files/a.txt')
r = conn.getresponse(); out['head'] = [r.status, r.read().decode(), r.getheader('Content-Length')]
conn.request('POST', '/echo', body=b'ping', headers={'Content-Type': 'text/plain'})
r = conn.getresponse(); out['echo'] = [r.status, json.loads(r.read())]
conn.request('DELETE', '/healthz')
r = conn.getresponse(); out['wrong_method'] = [r.status, r.getheader('Allow'), json.loads(r.read())]
out['same_socket'] = conn.sock is not None
conn.close()
print(json.dumps(out))
`;

let http: TestHttp;
beforeAll(async () => {
  http = await startHttp();
  await fs.writeFile(path.join(http.files, 'a.txt'), 'hello world\n');
});
afterAll(() => http.close());

it("Python's http.client talks to the server over one keep-alive connection", async () => {
  const { stdout } = await run('python3', ['-c', SCRIPT, String(http.service.port)], { encoding: 'utf8' });
  const out = JSON.parse(stdout);
  expect(out.get).toEqual([200, 'hello world\n', 'text/plain; charset=utf-8']);
  expect(out.range).toEqual([206, 'world\n', 'bytes 6-11/12']);
  expect(out.head).toEqual([200, '', '12']);
  expect(out.echo[0]).toBe(200);
  expect(out.echo[1]).toMatchObject({ method: 'POST', body: 'ping', headers: { 'content-type': 'text/plain' } });
  expect(out.wrong_method).toEqual([405, 'GET, HEAD, OPTIONS', { error: 'method DELETE not allowed on /healthz' }]);
  const sessions = new Set(
    http.log
      .toArray()
      .filter((r) => r.side === 'server')
      .map((r) => r.session),
  );
  expect(sessions.size).toBe(1);
});
