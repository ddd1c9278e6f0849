/**
 * Python's ftplib `abort()` sends `ABOR\r\n` as TCP urgent data; on Linux the urgent byte (the LF) is
 * taken out of the stream, so the server sees `ABOR\r` and nothing more. The same script runs against
 * pyftpdlib (the reference, Debian's python3-pyftpdlib) and against us; the replies must agree, and no
 * later reply may be shifted.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_BACKSTOP_MS, python, startFtp, type TestFtp } from './helpers.js';
import { type Pyftpdlib, startPyftpdlib } from './pyftpdlib-reference.js';

const BIG = 8 * 1024 * 1024;

/** The script prints one reply code per step; the codes are what both servers must agree on. */
const SCRIPT = `
ftp.login(USER, PASS)
print('IDLE', ftp.abort()[:3])
print('PWD', ftp.sendcmd('PWD')[:3])
conn = ftp.transfercmd('RETR big.bin')
conn.recv(65536)
print('BUSY', ftp.abort()[:3])
conn.close()
# A transfer aborted mid-way gets 426, then the ABOR its own reply (RFC 959 §4.1.3).
print('AFTER', ftp.getresp()[:3])
print('NOOP', ftp.sendcmd('NOOP')[:3])
ftp.quit()
`;

let ours: TestFtp;
let reference: Pyftpdlib;

beforeAll(async () => {
  ours = await startFtp();
  await fs.writeFile(path.join(ours.root, 'big.bin'), Buffer.alloc(BIG, 1));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-pyftpdlib-'));
  await fs.writeFile(path.join(dir, 'big.bin'), Buffer.alloc(BIG, 1));
  reference = await startPyftpdlib(dir);
}, CLIENT_BACKSTOP_MS);

afterAll(async () => {
  await reference?.close();
  await ours?.close();
});

describe("ftplib's abort() (ABOR as TCP urgent data)", () => {
  it('is answered as pyftpdlib answers it, idle and mid-transfer, and no later reply is shifted', async () => {
    const [mine, theirs] = await Promise.all([python(ours.port, SCRIPT), python(reference.port, SCRIPT)]);
    expect(theirs.stderr).toBe('');
    expect(mine.stderr).toBe('');
    expect(theirs.stdout).toBe('IDLE 225\nPWD 257\nBUSY 426\nAFTER 226\nNOOP 200\n');
    expect(mine.stdout).toBe(theirs.stdout);
  });

  it('records the ABOR without its Telnet bytes or CR', () => {
    const abor = ours.log.toArray().filter((r) => r.request.includes('ABOR'));
    expect(abor.map((r) => r.request)).toEqual(['ABOR', 'ABOR']);
  });
});
