import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sandbox, virtualPath } from '../../protocols/ftp/sandbox.js';

describe('virtualPath', () => {
  it.each([
    ['/', 'a', '/a'],
    ['/a', '../../..', '/'],
    ['/a', '../b/./c', '/b/c'],
    ['/a', '/x//y/', '/x/y'],
    ['/a/b', '..', '/a'],
    ['/', '..%2f..', '/..%2f..'],
    ['/', '\\..\\..', '/\\..\\..'],
    ['/', '', '/'],
  ])('%s + %s → %s', (cwd, arg, want) => {
    expect(virtualPath(cwd, arg)).toBe(want);
  });
});

describe('Sandbox', () => {
  let dir: string;
  let sandbox: Sandbox;
  beforeEach(async () => {
    dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-sandbox-')));
    await fs.mkdir(path.join(dir, 'root', 'sub'), { recursive: true });
    await fs.writeFile(path.join(dir, 'secret.txt'), 'secret');
    await fs.writeFile(path.join(dir, 'root', 'sub', 'ok.txt'), 'ok');
    await fs.symlink(path.join(dir, 'secret.txt'), path.join(dir, 'root', 'escape'));
    await fs.symlink(dir, path.join(dir, 'root', 'escape-dir'));
    await fs.symlink(path.join(dir, 'root', 'sub', 'ok.txt'), path.join(dir, 'root', 'inside'));
    sandbox = await Sandbox.open(path.join(dir, 'root'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('resolves paths inside the root, .. clamped at /', async () => {
    const r = await sandbox.existing('/sub', '../../../sub/ok.txt');
    expect(r.virtual).toBe('/sub/ok.txt');
    expect(r.real).toBe(path.join(dir, 'root', 'sub', 'ok.txt'));
  });

  it('follows symlinks that stay inside', async () => {
    const r = await sandbox.existing('/', 'inside');
    expect(r.real).toBe(path.join(dir, 'root', 'sub', 'ok.txt'));
  });

  it.each(['escape', 'escape-dir', 'escape-dir/secret.txt', '/escape-dir/root/../secret.txt'])(
    'refuses the symlink route %s',
    async (arg) => {
      await expect(sandbox.existing('/', arg)).rejects.toMatchObject({ reason: 'outside-root' });
    },
  );

  it('refuses creating through a symlinked folder or over a link pointing outside', async () => {
    await expect(sandbox.creatable('/', 'escape-dir/new.txt')).rejects.toMatchObject({ reason: 'outside-root' });
    await expect(sandbox.creatable('/', 'escape')).rejects.toMatchObject({ reason: 'outside-root' });
  });

  it.each(['a\u0000b', 'a\rb', 'a\nb'])('refuses names with NUL/CR/LF %j', async (arg) => {
    await expect(sandbox.creatable('/', arg)).rejects.toMatchObject({ reason: 'forbidden-name' });
  });

  it('treats ../ as clamped and percent-encoding literally', async () => {
    const r = await sandbox.creatable('/', '../../secret.txt');
    expect(r.real).toBe(path.join(dir, 'root', 'secret.txt'));
    const p = await sandbox.creatable('/', '..%2f..%2fsecret.txt');
    expect(p.real).toBe(path.join(dir, 'root', '..%2f..%2fsecret.txt'));
  });

  it('reports missing objects as not-found', async () => {
    await expect(sandbox.existing('/', 'nope')).rejects.toMatchObject({ reason: 'not-found' });
  });
});
