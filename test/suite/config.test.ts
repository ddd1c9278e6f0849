import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { parseStartArgs } from '../../cli/start-args.js';
import { TCP_QUERY_DEADLINE_MS } from '../../protocols/dns/options.js';
import { LOGIN_FAILURE_WINDOW_MS, MAX_LOGIN_FAILURES_PER_ADDRESS } from '../../protocols/ftp/login-throttle.js';
import { MAX_BODY_BYTES_IN_FLIGHT } from '../../protocols/http/limits.js';
import { MAX_CONNECTIONS_PER_ADDRESS, UDP_RECEIVE_BUFFER_BYTES } from '../../shared/limits.js';
import { DEFAULT_CONFIG, resolveConfig } from '../../suite/config.js';
import { dnsOptions, ftpOptions, httpOptions, smtpOptions } from '../../suite/service-options.js';
import { startSuite } from '../../suite/start-suite.js';
import { RawFtp } from '../ftp/raw-ftp.js';
import { RawClient } from '../helpers/raw-client.js';

async function file(name: string, text: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-cfg-'));
  const p = path.join(dir, name);
  await fs.writeFile(p, text);
  return p;
}

const resolveArgs = (argv: string[]) => resolveConfig(...parseStartArgs(argv).layers);

describe('configuration', () => {
  it('has the defaults of SPEC.md', () => {
    const c = resolveArgs([]);
    expect(c).toEqual(DEFAULT_CONFIG);
    expect(c.protocols).toEqual(['http', 'ftp', 'smtp', 'dns']);
    expect([c.host, c.http.port, c.ftp.port, c.smtp.port, c.dns.port]).toEqual(['127.0.0.1', 8080, 2121, 2525, 5300]);
    expect(c.ftp.pasvPorts).toEqual({ from: 50000, to: 50100 });
    expect(c.smtp.maxSize).toBe(10485760);
    expect(c.smtp.maxMessages).toBe(10000);
    expect(c.log).toBe('pretty');
    expect(c.data).toBe('./minisuite-data');
  });

  it('takes every flag', () => {
    const c = resolveArgs([
      'dns',
      'smtp',
      '--host',
      '::1',
      '--http-port=1',
      '--ftp-port',
      '2',
      '--smtp-port',
      '3',
      '--dns-port',
      '0',
      '--data',
      '/tmp/x',
      '--zone',
      'a.zone',
      '--zone',
      'b.zone',
      '--ftp-user',
      'ann:pa:ss',
      '--ftp-user',
      'bob:pw',
      '--no-anonymous',
      '--ftp-pasv-ports',
      '40000-40010',
      '--smtp-user',
      'mail:pw',
      '--smtp-max-size',
      '1000',
      '--smtp-max-messages',
      '50',
      '--tls',
      '--tls-cert',
      'c.pem',
      '--tls-key',
      'k.pem',
      '--tls-name',
      'API.example.test.',
      '--tls-name',
      '[::2]',
      '--https-port',
      '4',
      '--log',
      'json',
    ]);
    expect(c.protocols).toEqual(['smtp', 'dns']);
    expect(c.host).toBe('::1');
    expect([c.http.port, c.ftp.port, c.smtp.port, c.dns.port]).toEqual([1, 2, 3, 0]);
    expect(c.dns.zones).toEqual(['a.zone', 'b.zone']);
    expect(c.ftp.users).toEqual([
      { name: 'ann', pass: 'pa:ss', perms: 'elradfmwMT', home: '/' },
      { name: 'bob', pass: 'pw', perms: 'elradfmwMT', home: '/' },
    ]);
    expect(c.ftp.anonymous).toBe(false);
    expect(c.ftp.pasvPorts).toEqual({ from: 40000, to: 40010 });
    expect(c.smtp.users).toEqual([{ name: 'mail', pass: 'pw' }]);
    expect(c.smtp.maxSize).toBe(1000);
    expect(c.smtp.maxMessages).toBe(50);
    expect(c.tls).toBe(true);
    expect([c.tlsCert, c.tlsKey]).toEqual(['c.pem', 'k.pem']);
    expect(c.tlsNames).toEqual(['api.example.test', '::2']);
    expect(c.http.httpsPort).toBe(4);
    expect(c.log).toBe('json');
  });

  it.each([
    [['--http-port', 'abc'], "--http-port: expected a port number 0-65535, got 'abc'"],
    [['--dns-port', '70000'], "--dns-port: expected a port number 0-65535, got '70000'"],
    [['--bogus'], "unknown option '--bogus'"],
    [['gopher'], "unknown protocol 'gopher'"],
    [['--ftp-user', 'nopass'], "--ftp-user: expected NAME:PASS[:PERMS[:HOME]], got 'nopass'"],
    [['--ftp-pasv-ports', '9-1'], '--ftp-pasv-ports: expected a port range'],
    [['--smtp-max-size', '-1'], '--smtp-max-size'],
    [['--smtp-max-messages', '0'], "--smtp-max-messages: expected a positive number of messages, got '0'"],
    [['--log', 'xml'], "--log: expected pretty or json, got 'xml'"],
    [['--https-port', 'x'], "--https-port: expected a port number 0-65535, got 'x'"],
    [['--tls-name', 'bad name'], "--tls-name: 'bad name' is not a DNS name or IP address"],
  ])('refuses %j naming the flag', (argv, message) => {
    expect(() => resolveArgs(argv)).toThrow(message);
  });

  it('reads YAML and JSON files; flags override them; paths are relative to the file', async () => {
    const yml = await file(
      's.yaml',
      'host: 127.0.0.2\nhttp:\n  port: 9000\nftp:\n  users: [ "a:b" ]\ndns:\n  zones: [ z.zone ]\ndata: d\n',
    );
    const c = resolveArgs(['--config', yml, '--http-port', '9001']);
    expect(c.host).toBe('127.0.0.2');
    expect(c.http.port).toBe(9001);
    expect(c.ftp.users).toEqual([{ name: 'a', pass: 'b', perms: 'elradfmwMT', home: '/' }]);
    expect(c.dns.zones).toEqual([path.join(path.dirname(yml), 'z.zone')]);
    expect(c.data).toBe(path.join(path.dirname(yml), 'd'));
    const json = await file(
      's.json',
      JSON.stringify({ smtp: { maxSize: 5, commandDeadlineMs: 0 }, protocols: ['smtp'] }),
    );
    expect(resolveArgs(['--config', json]).smtp).toMatchObject({ maxSize: 5, commandDeadlineMs: 0 });
    expect(resolveArgs([]).smtp.commandDeadlineMs).toBe(60_000);
  });

  it.each([
    ['bad.yaml', 'http:\n  port: "eighty"\n', 'http.port'],
    ['bad2.yaml', 'ftp:\n  prot: 21\n', "bad2.yaml ftp: unknown setting 'prot'"],
    ['bad3.json', '{ "smtp": { "maxSize": -4 } }', 'smtp.maxSize'],
    ['bad6.json', '{ "smtp": { "maxMessages": 0 } }', 'smtp.maxMessages'],
    ['bad4.json', '{ nope', 'not valid JSON'],
    ['bad5.yaml', 'protocols: [http, gopher]\n', 'protocols.1'],
  ])('names the bad field of a config file (%s)', async (name, text, field) => {
    const p = await file(name, text);
    expect(() => resolveArgs(['--config', p])).toThrow(field);
  });

  it('says which config file cannot be read', () => {
    expect(() => resolveArgs(['--config', '/nonexistent/x.yaml'])).toThrow(
      "--config: no such file '/nonexistent/x.yaml'",
    );
  });
});

describe('limits as settings (issue #17)', () => {
  it("defaults to each server's own limits", () => {
    const c = resolveArgs([]);
    expect(c.dns).toMatchObject({ queryDeadlineMs: TCP_QUERY_DEADLINE_MS, recvBufferSize: UDP_RECEIVE_BUFFER_BYTES });
    expect(c.ftp).toMatchObject({
      maxLoginFailuresPerAddress: MAX_LOGIN_FAILURES_PER_ADDRESS,
      loginFailureWindowMs: LOGIN_FAILURE_WINDOW_MS,
    });
    expect(c.http.maxBodyBytesInFlight).toBe(MAX_BODY_BYTES_IN_FLIGHT);
    expect(c.smtp.maxConnectionsPerAddress).toBe(MAX_CONNECTIONS_PER_ADDRESS);
  });

  it('reads them from a config file and hands them to each server', async () => {
    const yml = await file(
      'limits.yaml',
      [
        'http: { maxConnectionsPerAddress: 9, maxBodyBytesInFlight: 1048576, maxStreams: 3, headersTimeoutMs: 2000 }',
        'ftp: { maxLoginFailuresPerAddress: 4, loginFailureWindowMs: 60000, dataConnectTimeoutMs: 5000 }',
        'smtp: { maxConnectionsPerAddress: 7, commandDeadlineMs: 0 }',
        'dns: { queryDeadlineMs: 1500, recvBufferSize: 65536, maxConnectionsPerAddress: 5 }',
        '',
      ].join('\n'),
    );
    const c = resolveArgs(['--config', yml]);
    expect(httpOptions(c)).toMatchObject({
      maxConnectionsPerAddress: 9,
      maxBodyBytesInFlight: 1048576,
      maxStreams: 3,
      headersTimeoutMs: 2000,
      requestTimeoutMs: 60_000,
    });
    expect(ftpOptions(c)).toMatchObject({
      maxLoginFailuresPerAddress: 4,
      loginFailureWindowMs: 60_000,
      dataConnectTimeoutMs: 5000,
      maxLoginFailures: 5,
    });
    expect(smtpOptions(c)).toMatchObject({ maxConnectionsPerAddress: 7, commandDeadlineMs: 0 });
    expect(dnsOptions(c)).toMatchObject({ queryDeadlineMs: 1500, recvBufferSize: 65536, maxConnectionsPerAddress: 5 });
  });

  it.each([
    [
      'dns: { queryDeadlineMs: -1 }',
      'dns.queryDeadlineMs: expected a whole number of milliseconds, 0 or more (0 turns the deadline off), got -1',
    ],
    ['dns: { recvBufferSize: "4M" }', 'dns.recvBufferSize: expected a whole number of bytes, 1 or more, got "4M"'],
    [
      'ftp: { loginFailureWindowMs: 0 }',
      'ftp.loginFailureWindowMs: expected a whole number of milliseconds, 1 or more, got 0',
    ],
    [
      'ftp: { maxLoginFailuresPerAddress: 2.5 }',
      'ftp.maxLoginFailuresPerAddress: expected a whole number of failures, 0 or more (0 turns the per-address throttle off), got 2.5',
    ],
    [
      'http: { maxBodyBytesInFlight: 0 }',
      'http.maxBodyBytesInFlight: expected a whole number of bytes, 1 or more, got 0',
    ],
    [
      'smtp: { maxConnectionsPerAddress: 0 }',
      'smtp.maxConnectionsPerAddress: expected a whole number of connections, 1 or more, got 0',
    ],
    [
      'http: { headersTimeoutMs: 90000 }',
      'http.headersTimeoutMs: 90000 is longer than http.requestTimeoutMs (60000); the head is part of the request: make it at most that',
    ],
  ])('a bad limit (%s) names the field and what it expects', async (text, message) => {
    const p = await file('bad-limit.yaml', `${text}\n`);
    expect(() => resolveArgs(['--config', p])).toThrow(message);
  });
});

describe('limits given to startSuite reach the servers', () => {
  it('dns.queryDeadlineMs: the incomplete query is closed at the deadline given', async () => {
    const suite = await startSuite({
      protocols: ['dns'],
      limits: { dns: { queryDeadlineMs: 250, idleTimeoutMs: 60_000 } },
    });
    try {
      const slow = await RawClient.connect(suite.dns.port, '127.0.0.1');
      slow.send(Buffer.from([0x00, 0x40, 0x12])); // a 64-byte frame announced, one byte of it sent
      const closing = await suite.waitFor('dns', (r) => r.request === '(incomplete query)', { timeoutMs: 30_000 });
      expect(closing.response).toBe('closed: query not complete within 250 ms');
      slow.socket.destroy();
    } finally {
      await suite.close();
    }
  });

  it('ftp.maxLoginFailuresPerAddress: the address is refused after the failures given', async () => {
    const suite = await startSuite({
      protocols: ['ftp'],
      ftpUsers: ['ann:secret'],
      limits: { ftp: { maxLoginFailuresPerAddress: 2, loginFailureDelayMs: 0 } },
    });
    try {
      const guesser = await RawFtp.connect(suite.ftp.port);
      await guesser.cmd('USER ann');
      expect(await guesser.cmd('PASS wrong')).toMatch(/^530 /);
      await guesser.cmd('USER ann');
      // The second failure uses up the address's 2 (the default, 20, would answer 530 again).
      expect(await guesser.cmd('PASS wrong')).toMatch(/^421 /);
      guesser.client.socket.destroy();
      const next = await RawFtp.connect(suite.ftp.port);
      await next.cmd('USER ann');
      expect(await next.cmd('PASS secret')).toMatch(/^421 Too many failed logins from your address/);
      next.client.socket.destroy();
    } finally {
      await suite.close();
    }
  });

  it('dns.maxConnectionsPerAddress holds on DNS over TLS too', async () => {
    const suite = await startSuite({
      protocols: ['dns'],
      tls: true,
      limits: { dns: { maxConnectionsPerAddress: 1, idleTimeoutMs: 60_000 } },
    });
    const open: tls.TLSSocket[] = [];
    // Resolves 'served' once the TLS handshake completes, 'refused' when closed before it.
    const connect = (localAddress: string) =>
      new Promise<'served' | 'refused'>((resolve) => {
        const tcp = net.connect({ host: '127.0.0.1', port: suite.dns.tlsPort ?? 0, localAddress });
        const socket = tls.connect({ socket: tcp, servername: 'localhost', ca: suite.tls?.ca ?? '' });
        open.push(socket);
        socket.once('secureConnect', () => resolve('served'));
        socket.on('error', () => {});
        socket.once('close', () => resolve('refused'));
      });
    try {
      expect(await connect('127.0.0.1')).toBe('served');
      expect(await connect('127.0.0.1')).toBe('refused');
      expect(await connect('127.0.0.2')).toBe('served');
    } finally {
      for (const s of open) s.destroy();
      await suite.close();
    }
  });

  it('refuses a bad limit naming it', async () => {
    await expect(startSuite({ protocols: ['dns'], limits: { dns: { queryDeadlineMs: -5 } } })).rejects.toThrow(
      'limits dns.queryDeadlineMs: expected a whole number of milliseconds, 0 or more (0 turns the deadline off), got -5',
    );
    await expect(
      startSuite({ protocols: ['dns'], limits: { dns: { queryDeadline: 5 } } as unknown as Record<string, never> }),
    ).rejects.toThrow("limits dns: unknown setting 'queryDeadline'");
  });
});
