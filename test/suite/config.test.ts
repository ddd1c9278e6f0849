import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStartArgs } from '../../cli/start-args.js';
import { DEFAULT_CONFIG, resolveConfig } from '../../suite/config.js';

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
