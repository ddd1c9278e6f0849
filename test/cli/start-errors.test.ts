import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUsageError, runCli } from '../helpers/cli.js';

describe('minisuite start: bad input exits 2 with one clear line', () => {
  it('names an unknown flag, once, with a did-you-mean', async () => {
    await expectUsageError(
      ['start', '--htp-port', '1'],
      /^minisuite start: unknown option '--htp-port'; did you mean --http-port\?$/,
    );
    await expectUsageError(['start', '--http-prot', '9000'], /^minisuite start: .*did you mean --http-port\?$/);
    await expectUsageError(['start', '--smtp-max-sise', '9'], /did you mean --smtp-max-size\?$/);
  });
  it('says where flags go when npm start swallowed one (npm start --http-port 40001)', () =>
    expectUsageError(
      ['start', '40001'],
      /^minisuite start: unknown protocol '40001'; expected http, ftp, smtp or dns \(with npm start, flags go after --: npm start -- --http-port 9000\)/,
    ));
  it('suggests the protocol or command meant', async () => {
    await expectUsageError(['start', 'smpt'], /^minisuite start: unknown protocol 'smpt'; did you mean smtp\?$/);
    await expectUsageError(['strat'], /^minisuite: unknown command 'strat'; did you mean start\?/);
  });
  it('names a bad port', () => expectUsageError(['start', '--smtp-port', 'x'], /--smtp-port: expected a port number/));
  it('names an unknown protocol', () => expectUsageError(['start', 'gopher'], /unknown protocol 'gopher'/));
  it('names a bad config field', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-cli-'));
    const file = path.join(dir, 'bad.yaml');
    await fs.writeFile(file, 'dns:\n  port: 99999\n');
    await expectUsageError(['start', '--config', file], /bad\.yaml dns\.port: .*65535/);
    await fs.rm(dir, { recursive: true });
  });
  it('names a bad limit in a config file and what it expects (issue #17)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-cli-'));
    const file = path.join(dir, 'limits.yaml');
    await fs.writeFile(file, 'ftp:\n  loginFailureWindowMs: 0\n');
    await expectUsageError(
      ['start', '--config', file],
      /^minisuite start: .*limits\.yaml ftp\.loginFailureWindowMs: expected a whole number of milliseconds, 1 or more, got 0$/,
    );
    await fs.rm(dir, { recursive: true });
  });
  it('names an unreadable config file', () =>
    expectUsageError(
      ['start', '--config', '/nonexistent/m.json'],
      /^minisuite start: --config: no such file '\/nonexistent\/m\.json'$/,
    ));
  it('says so for an unknown command', () => expectUsageError(['serve'], /^minisuite: unknown command 'serve'/));
});

describe('minisuite --help and --version', () => {
  it('prints usage and version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('start [http] [ftp] [smtp] [dns]');
    const startHelp = await runCli(['start', '--help']);
    expect(startHelp.stdout).toContain('--ftp-pasv-ports A-B');
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
