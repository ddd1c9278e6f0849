/**
 * `--help`/`-h` on every command and subcommand of the built CLI: the usage on stdout, exit 0,
 * nothing on stderr; and usage errors of the clients: one line naming the problem, exit 2.
 */
import { describe, expect, it } from 'vitest';
import { expectUsageError, runCli } from '../helpers/cli.js';

describe('minisuite <command> --help', () => {
  it.each([
    [['start', '--help'], 'usage: minisuite start'],
    [['start', 'http', '-h'], 'usage: minisuite start'],
    [['http', '--help'], 'usage: minisuite http'],
    [['http', 'get', '--help'], 'usage: minisuite http'],
    [['http', 'request', '-h'], 'usage: minisuite http'],
    [['ftp', '--help'], 'usage: minisuite ftp'],
    [['ftp', 'get', '--help'], 'usage: minisuite ftp'],
    [['ftp', 'put', '-h'], 'usage: minisuite ftp'],
    [['smtp', '--help'], 'usage: minisuite smtp send'],
    [['smtp', 'send', '--help'], 'usage: minisuite smtp send'],
    [['smtp', 'send', '-h', '--to', 'a@b.test'], 'usage: minisuite smtp send'],
    [['dns', '--help'], 'usage: minisuite dns query'],
    [['dns', 'query', '--help'], 'usage: minisuite dns query'],
    [['tls', '--help'], 'usage: minisuite tls ca'],
    [['tls', 'ca', '-h'], 'usage: minisuite tls ca'],
  ])('%j prints the usage, exit 0', async (args, head) => {
    const r = await runCli(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(head)).toBe(true);
    expect(r.stdout).toMatch(/-h, --help/);
  });
});

describe('client usage errors', () => {
  it.each([
    [['smtp', 'sned', '--to', 'a@b.test'], /^minisuite smtp: unknown command 'sned'; did you mean send\?$/],
    [['smtp', 'send', '--too', 'a@b.test'], /^minisuite smtp: unknown option '--too'; did you mean --to\?$/],
    [['http', 'gte', 'http://127.0.0.1:1/'], /^minisuite http: unknown command 'gte'; did you mean get\?$/],
    [['http', 'get', 'http://127.0.0.1:1/', '--ouptut', 'x'], /did you mean --output\?$/],
    [['ftp', 'lss', 'ftp://127.0.0.1:1/'], /^minisuite ftp: unknown command 'lss'; did you mean ls\?$/],
    [['ftp', 'ls', '--tsl', 'ftp://127.0.0.1:1/'], /^minisuite ftp: unknown option '--tsl'; did you mean --tls\?$/],
    [['dns', 'qurey', 'a.test'], /^minisuite dns: unknown command 'qurey'; did you mean query\?$/],
    [['dns', 'query', 'a.test', '--server', 'x:y'], /^minisuite dns: --server: expected HOST:PORT/],
    [['dns', 'query', 'a.test', '--timeout'], /^minisuite dns: --timeout needs a value \(see minisuite dns --help\)$/],
    [['tls', 'ca', '--dta', 'x'], /^minisuite tls: unknown option '--dta'; did you mean --data\?$/],
  ])('%j: one line, exit 2', (args, pattern) => expectUsageError(args, pattern));
});
