/**
 * Every verb with odd arguments, logged in and not: each command gets exactly one final reply
 * and the server stays up.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../protocols/ftp/commands.js';
import { PASS, startFtp, type TestFtp, USER } from './helpers.js';
import { RawFtp } from './raw-ftp.js';

const ODD_ARGS = [
  '',
  ' ',
  '..',
  '/',
  '//',
  '-la',
  '%',
  '%00',
  '|||',
  '1,2,3,4,5,6',
  '|2|::1|1|',
  'é/ü',
  'x'.repeat(3000),
];

describe('ftp: every verb with odd arguments', () => {
  let ftp: TestFtp;
  beforeAll(async () => {
    ftp = await startFtp({ maxBadCommands: 100_000, dataConnectTimeoutMs: 100 });
    await fs.writeFile(path.join(ftp.root, 'f.txt'), 'f');
  });
  afterAll(() => ftp.close());

  it.each([false, true])('answers each command once (logged in: %s)', async (login) => {
    const c = await RawFtp.connect(ftp.port);
    if (login) await c.login(USER, PASS);
    const verbs = Object.keys(COMMANDS).filter((v) => v !== 'QUIT' && v !== 'USER' && v !== 'PASS');
    for (const verb of verbs) {
      for (const arg of ODD_ARGS) {
        const line = arg === '' ? verb : `${verb} ${arg}`;
        let r = await c.cmd(line);
        // A transfer command first says 150 (or fails with 425 when no data connection is set up).
        if (r.startsWith('150') || r.startsWith('125')) r = await c.reply();
        expect(r, line).toMatch(/^[1-5]\d\d[ -]/);
        // REST/RNFR leave state for the next command; that is fine, it is forgotten right after.
      }
    }
    expect(await c.cmd('NOOP')).toMatch(/^200 /);
    c.close();
    // Nothing escaped the root.
    const outside = (await fs.readdir(ftp.dir)).sort();
    expect(outside).toEqual(['.ftp-uploads', 'files']);
  });
});
