/**
 * On a terminal, the exchange lines of `http get` and `ftp get` are never printed onto the
 * progress bar: the bar's line is erased first, and the command ends with it erased.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as ftpMain } from '../../cli/ftp.js';
import { main as httpMain } from '../../cli/http.js';
import type { CliIo } from '../../cli/io.js';
import { type Suite, startSuite } from '../../suite/start-suite.js';

const SIZE = 3 * 1024 * 1024;
let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ protocols: ['http', 'ftp'], files: { 'big.bin': Buffer.alloc(SIZE, 7) } });
});
afterAll(() => suite.close());

function ttyIo() {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: true });
  let err = '';
  stdout.resume();
  stderr.on('data', (d) => {
    err += d;
  });
  const io: CliIo = { stdin: new PassThrough(), stdout, stderr };
  return { io, err: () => err };
}

const ERASE = '\r\u001b[K';

/** Every exchange line starts on a clean line: at the start, after a newline, or right after the erase. */
function expectLinesClearOfBar(stderr: string, exchange: RegExp): void {
  expect(stderr).toMatch(/\r\[#+-*\] +\d+%/); // a bar was drawn
  const lines = stderr.split('\n').filter((l) => exchange.test(l));
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    // What the terminal shows is what follows the last CR; it must be the exchange line alone.
    const shown = line.slice(line.lastIndexOf('\r') + 1).replace(/^\u001b\[K/, '');
    expect(shown).toMatch(exchange);
    expect(shown).not.toMatch(/\[#/);
    if (line.includes('\r')) expect(line.startsWith(ERASE) || line.includes(`${ERASE}`)).toBe(true);
  }
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.slice(stderr.lastIndexOf('\n') + 1)).toBe('');
}

describe('progress bar and exchange lines on one terminal', () => {
  it('http get erases the bar before the exchange line', async () => {
    const t = ttyIo();
    const target = path.join(suite.dataDir, 'http-got.bin');
    expect(await httpMain(['get', `${suite.http.url}/files/big.bin`, '-o', target], t.io)).toBe(0);
    expect((await fs.stat(target)).size).toBe(SIZE);
    expectLinesClearOfBar(t.err(), /http\s+client\s+.*GET \/files\/big\.bin\s+→ 200/);
  });

  it('ftp get erases the bar before each exchange line', async () => {
    const t = ttyIo();
    const target = path.join(suite.dataDir, 'ftp-got.bin');
    expect(await ftpMain(['get', `${suite.ftp.url}/big.bin`, target], t.io)).toBe(0);
    expect((await fs.stat(target)).size).toBe(SIZE);
    expectLinesClearOfBar(t.err(), /ftp\s+client\s+.*RETR \/big\.bin\s+→ 226/);
  });
});
