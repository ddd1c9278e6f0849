/**
 * `minisuite ftp` in-process: the progress bar on a TTY, none otherwise, and usage errors.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/ftp.js';
import { fakeIo } from '../helpers/cli-io.js';
import { PASS, startFtp, type TestFtp, USER } from './helpers.js';

describe('minisuite ftp (in-process)', () => {
  let ftp: TestFtp;
  beforeEach(async () => {
    ftp = await startFtp();
    await fs.writeFile(path.join(ftp.root, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 9));
  });
  afterEach(() => ftp.close());

  it('draws a progress bar on a TTY for get and put', async () => {
    const target = path.join(ftp.dir, 'got.bin');
    const get = fakeIo({ tty: true });
    expect(await main(['get', `ftp://127.0.0.1:${ftp.port}/big.bin`, target], get.io)).toBe(0);
    expect(get.err()).toMatch(/\r\[#+\] 100% {2}3\.0 MiB \/ 3\.0 MiB/);
    expect((await fs.stat(target)).size).toBe(3 * 1024 * 1024);
    const put = fakeIo({ tty: true });
    const url = `ftp://${USER}:${encodeURIComponent(PASS)}@127.0.0.1:${ftp.port}/copy.bin`;
    expect(await main(['put', target, url], put.io)).toBe(0);
    expect(put.err()).toMatch(/\r\[#+\] 100%/);
    expect((await fs.stat(path.join(ftp.root, 'copy.bin'))).size).toBe(3 * 1024 * 1024);
  });

  it('draws no bar when stderr is not a TTY, and -q silences the exchange lines', async () => {
    const plain = fakeIo({ tty: false });
    expect(await main(['get', `ftp://127.0.0.1:${ftp.port}/big.bin`, path.join(ftp.dir, 'x')], plain.io)).toBe(0);
    expect(plain.err()).not.toContain('\r');
    expect(plain.err()).toMatch(/RETR \/big\.bin +→ 226/);
    const quiet = fakeIo({ tty: false });
    expect(await main(['ls', '-q', `ftp://127.0.0.1:${ftp.port}/`], quiet.io)).toBe(0);
    expect(quiet.err()).toBe('');
    expect(quiet.out()).toMatch(/big\.bin/);
  });

  it('exits 2 on usage errors', async () => {
    for (const argv of [['frobnicate'], ['get'], ['ls', 'ftp://127.0.0.1:1/a%0d%0aDELE%20b'], ['put', 'only-one']]) {
      const run = fakeIo({ tty: false });
      expect(await main(argv, run.io), argv.join(' ')).toBe(2);
      expect(run.err()).toMatch(/minisuite ftp/);
    }
  });
});
