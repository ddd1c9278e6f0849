/**
 * `minisuite start` problems outside its flags name the flag and the fix: a port in use names
 * its `--X-port`, a `--data` that is a file (or under one) names `--data`, not EEXIST/ENOTDIR.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataFolderError, explainStartError } from '../../cli/start-errors.js';
import { MinisuiteError } from '../../shared/errors.js';
import { DEFAULT_CONFIG } from '../../suite/config.js';
import { runCli } from '../helpers/cli.js';

const dirs: string[] = [];
async function tmpDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-problems-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

async function oneLine(args: string[]): Promise<string> {
  const r = await runCli(args);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
}

describe('minisuite start --data problems', () => {
  it('a file given as --data names --data and the fix', async () => {
    const file = path.join(await tmpDir(), 'not-a-folder');
    await fs.writeFile(file, 'x');
    expect(await oneLine(['start', 'http', '--http-port', '0', '--data', file])).toBe(
      `minisuite start: --data: ${file} is a file, not a folder; give --data a folder you can write to (it is created if missing)`,
    );
  });

  it('a --data under a file names --data, not ENOTDIR', async () => {
    const file = path.join(await tmpDir(), 'plain');
    await fs.writeFile(file, 'x');
    const line = await oneLine(['start', 'smtp', '--smtp-port', '0', '--data', path.join(file, 'sub')]);
    expect(line).toBe(
      `minisuite start: --data: ${path.join(file, 'sub')}: a part of the path is a file, not a folder; give --data a folder you can write to (it is created if missing)`,
    );
    expect(line).not.toMatch(/ENOTDIR|EEXIST/);
  });

  it('maps a permission error inside the data folder, and leaves other errors alone', () => {
    const dir = '/srv/minisuite-data';
    const denied = Object.assign(new Error(`EACCES: permission denied, open '${dir}/mail/tmp/x'`), {
      code: 'EACCES',
      path: `${dir}/mail/tmp/x`,
    });
    expect(dataFolderError(denied, dir)?.message).toBe(
      `--data: ${dir}: cannot write ${dir}/mail/tmp/x (permission denied); give --data a folder you can write to (it is created if missing)`,
    );
    const elsewhere = Object.assign(new Error('EACCES'), { code: 'EACCES', path: '/etc/zone' });
    expect(dataFolderError(elsewhere, dir)).toBeUndefined();
    expect(dataFolderError(new Error('plain'), dir)).toBeUndefined();
  });
});

describe('minisuite start: a port in use names its flag', () => {
  it.each([
    ['smtp', '--smtp-port'],
    ['ftp', '--ftp-port'],
  ])('%s names %s and suggests another port or 0', async (protocol, flag) => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const busy = (blocker.address() as net.AddressInfo).port;
    try {
      const line = await oneLine(['start', protocol, flag, String(busy), '--data', await tmpDir()]);
      expect(line).toMatch(
        new RegExp(`^minisuite start: .*port ${busy} .*already in use; give ${flag} \\d+ \\(0 picks a free one\\)$`),
      );
    } finally {
      blocker.close();
    }
  });

  it('picks the flag of the failing service when two share a port', () => {
    const config = { ...DEFAULT_CONFIG, http: { ...DEFAULT_CONFIG.http, port: 7000, httpsPort: 7000 } };
    const err = new MinisuiteError('MS_ADDRESS_IN_USE', 'https: port 7000 on 127.0.0.1 is already in use');
    expect((explainStartError(err, config) as Error).message).toBe(
      'https: port 7000 on 127.0.0.1 is already in use; give --https-port 7001 (0 picks a free one)',
    );
  });
});
