import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRequestPath, resolveInside } from '../../protocols/http/path-sandbox.js';

describe('checkRequestPath', () => {
  const cases: [string, string[] | number][] = [
    ['', []],
    ['/', []],
    ['/a.txt', ['a.txt']],
    ['/dir/sub/a.txt', ['dir', 'sub', 'a.txt']],
    ['//dir///a.txt', ['dir', 'a.txt']],
    ['/./a.txt', ['a.txt']],
    ['/a%20b.txt', ['a b.txt']],
    ['/%C3%A9t%C3%A9', ['été']],
    ['/..', 403],
    ['/../etc/passwd', 403],
    ['/dir/../../x', 403],
    ['/%2e%2e/x', 403],
    ['/%2E%2E/x', 403],
    ['/.%2e/x', 403],
    ['/%2e./x', 403],
    ['/..%2fetc', 403],
    ['/a%2fb', 403],
    ['/a%5c..%5cb', 403],
    ['/a\\..\\b', 403],
    ['/a%00.txt', 400],
    ['/a%zz', 400],
    ['/%', 400],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      const result = checkRequestPath(input);
      if (typeof expected === 'number') expect(result).toMatchObject({ ok: false, status: expected });
      else expect(result).toEqual({ ok: true, segments: expected });
    });
  }
});

describe('resolveInside', () => {
  let dir: string;
  let root: string;
  beforeAll(async () => {
    dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-sandbox-')));
    root = path.join(dir, 'root');
    await fs.mkdir(path.join(root, 'sub'), { recursive: true });
    await fs.writeFile(path.join(root, 'sub', 'in.txt'), 'in');
    await fs.writeFile(path.join(dir, 'secret.txt'), 'secret');
    await fs.symlink(path.join(dir, 'secret.txt'), path.join(root, 'out-link'));
    await fs.symlink(dir, path.join(root, 'out-dir'));
    await fs.symlink(path.join(root, 'sub', 'in.txt'), path.join(root, 'in-link'));
    await fs.symlink('loop', path.join(root, 'loop'));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('resolves paths inside the root', async () => {
    expect(await resolveInside(root, ['sub', 'in.txt'])).toEqual({
      ok: true,
      path: path.join(root, 'sub', 'in.txt'),
      rel: ['sub', 'in.txt'],
    });
    expect(await resolveInside(root, [])).toEqual({ ok: true, path: root, rel: [] });
  });
  it('follows a symlink that stays inside', async () => {
    expect(await resolveInside(root, ['in-link'])).toMatchObject({ ok: true, rel: ['sub', 'in.txt'] });
  });
  it('refuses symlinks that lead outside, to a file or through a folder', async () => {
    expect(await resolveInside(root, ['out-link'])).toMatchObject({ ok: false, status: 403 });
    expect(await resolveInside(root, ['out-dir', 'secret.txt'])).toMatchObject({ ok: false, status: 403 });
  });
  it('reports missing files and loops', async () => {
    expect(await resolveInside(root, ['nope'])).toMatchObject({ ok: false, status: 404 });
    expect(await resolveInside(root, ['loop'])).toMatchObject({ ok: false, status: 403 });
  });
});
