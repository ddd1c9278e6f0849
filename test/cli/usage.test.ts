/**
 * cli/usage.ts: the one helper for usage errors, did-you-mean, --help and exit codes.
 */
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/io.js';
import {
  closest,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  editDistance,
  HelpRequested,
  parseCommand,
  readFlagFile,
  runCommand,
  subcommand,
  UsageError,
} from '../../cli/usage.js';
import { ConfigError } from '../../shared/errors.js';
import { fakeIo } from '../helpers/cli-io.js';

const OPTIONS = { 'http-port': { type: 'string' }, 'ftp-port': { type: 'string' }, tls: { type: 'boolean' } } as const;

describe('closest', () => {
  it.each([
    ['--http-prot', '--http-port'],
    ['--htp-port', '--http-port'],
    ['--ftp-prt', '--ftp-port'],
    ['--tsl', '--tls'],
    ['sned', 'send'],
    ['smpt', 'smtp'],
    ['--ht', '--http-port'],
  ])('%s → %s', (word, expected) => {
    expect(closest(word, ['--http-port', '--ftp-port', '--tls', 'send', 'smtp', 'ftp'])).toBe(expected);
  });
  it('suggests nothing for a word far from every candidate', () => {
    expect(closest('--verbose', ['--http-port', '--tls'])).toBeUndefined();
    expect(closest('gopher', ['http', 'ftp', 'smtp', 'dns'])).toBeUndefined();
  });
  it('counts edits', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});

describe('parseCommand', () => {
  it('parses flags and positionals', () => {
    const { values, positionals } = parseCommand(['start', '--http-port', '1', '--tls'], OPTIONS);
    expect(values).toMatchObject({ 'http-port': '1', tls: true });
    expect(positionals).toEqual(['start']);
  });
  it('names an unknown flag with a did-you-mean', () => {
    expect(() => parseCommand(['--http-prot', '9000'], OPTIONS)).toThrow(
      new UsageError("unknown option '--http-prot'; did you mean --http-port?"),
    );
    expect(() => parseCommand(['--http-prot=9000'], OPTIONS)).toThrow(/unknown option '--http-prot'; did you mean/);
    expect(() => parseCommand(['--zzzzzz'], OPTIONS)).toThrow(new UsageError("unknown option '--zzzzzz'"));
  });
  it('names a flag whose value is missing, or given to a switch', () => {
    expect(() => parseCommand(['--http-port'], OPTIONS)).toThrow(new UsageError('--http-port needs a value'));
    expect(() => parseCommand(['--tls=yes'], OPTIONS)).toThrow(new UsageError('--tls takes no value'));
  });
  it('asks for help on -h or --help, even beside a bad flag', () => {
    for (const argv of [['-h'], ['--help'], ['x', '--help', '--bogus']])
      expect(() => parseCommand(argv, OPTIONS)).toThrow(HelpRequested);
  });
  it('checks the subcommand with a did-you-mean', () => {
    expect(subcommand(['send'], ['send'])).toBe('send');
    expect(() => subcommand(['sned'], ['send'])).toThrow(new UsageError("unknown command 'sned'; did you mean send?"));
    expect(() => subcommand(['zz'], ['get', 'request'])).toThrow(
      new UsageError("unknown command 'zz'; expected get or request"),
    );
    expect(() => subcommand([], ['ls', 'get', 'put'])).toThrow(/missing command; expected ls, get or put/);
  });
});

describe('runCommand', () => {
  const ctx = (io: CliIo) => ({ name: 'minisuite x', usage: 'usage: minisuite x', io });
  it('prints the usage on stdout for help, exit 0', async () => {
    const t = fakeIo();
    expect(
      await runCommand(ctx(t.io), async () => {
        throw new HelpRequested();
      }),
    ).toBe(EXIT_OK);
    expect(t.out()).toBe('usage: minisuite x\n');
    expect(t.err()).toBe('');
  });
  it('reports a usage error in one line with where the usage is, exit 2', async () => {
    const t = fakeIo();
    expect(
      await runCommand(ctx(t.io), async () => {
        throw new UsageError('missing URL');
      }),
    ).toBe(EXIT_USAGE);
    expect(t.err()).toBe('minisuite x: missing URL (see minisuite x --help)\n');
    const guessed = fakeIo();
    await runCommand(ctx(guessed.io), async () => {
      throw new UsageError("unknown option '--tsl'; did you mean --tls?");
    });
    expect(guessed.err()).toBe("minisuite x: unknown option '--tsl'; did you mean --tls?\n");
  });
  it('reports a config error with exit 2 and a runtime failure with exit 1, one line each', async () => {
    const config = fakeIo();
    expect(
      await runCommand(ctx(config.io), async () => {
        throw new ConfigError('--zone', 'bad');
      }),
    ).toBe(EXIT_USAGE);
    expect(config.err()).toBe('minisuite x: --zone: bad\n');
    const failed = fakeIo();
    expect(
      await runCommand(ctx(failed.io), async () => {
        throw new Error('connection refused');
      }),
    ).toBe(EXIT_FAILURE);
    expect(failed.err()).toBe('minisuite x: connection refused\n');
    expect(failed.out()).toBe('');
  });
  it('names the flag of a file it cannot read', async () => {
    await expect(readFlagFile('--cacert', '/nonexistent/ca.pem')).rejects.toThrow(
      new UsageError('--cacert /nonexistent/ca.pem: no such file'),
    );
  });
});
