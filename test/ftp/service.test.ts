/**
 * FtpService through startSuite: the test-kit helpers and exchange records.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Suite, startSuite } from '../../suite/start-suite.js';
import { python } from './helpers.js';

describe('FtpService via startSuite', () => {
  let suite: Suite | undefined;
  afterEach(() => suite?.close());

  it('exposes url, port, root and file helpers on the served tree', async () => {
    suite = await startSuite({ protocols: ['ftp'], ftpUsers: ['kit:pw'] });
    const ftp = suite.ftp;
    expect(ftp.url).toBe(`ftp://127.0.0.1:${ftp.port}`);
    expect(ftp.root.endsWith('files')).toBe(true);
    await ftp.writeFile('/dir/seed.txt', 'seeded');
    expect((await ftp.list('dir')).map((e) => e.name)).toEqual(['seed.txt']);
    // Rejections, not synchronous throws, so `.catch()` and `await` both see them.
    for (const outside of [
      () => ftp.list('../..'),
      () => ftp.readFile('../x'),
      () => ftp.writeFile('a/../../x', 'x'),
    ]) {
      const pending = outside();
      expect(pending).toBeInstanceOf(Promise);
      await expect(pending).rejects.toThrow(/inside the FTP root/);
    }
    const r = await python(
      ftp.port,
      `
ftp.login('kit', 'pw')
buf = io.BytesIO()
ftp.retrbinary('RETR dir/seed.txt', buf.write)
ftp.storbinary('STOR dir/back.txt', io.BytesIO(buf.getvalue() + b'+back'))
ftp.quit()
`,
    );
    expect(r.stderr).toBe('');
    expect((await ftp.readFile('dir/back.txt')).toString()).toBe('seeded+back');
    const record = await suite.waitFor('ftp', (x) => x.request === 'STOR dir/back.txt', { timeoutMs: 5_000 });
    // bytesIn: the command line with CRLF, then the uploaded bytes.
    expect(record).toMatchObject({ side: 'server', ok: true, response: '226 Transfer complete', bytesIn: 19 + 11 });
    expect(ftp.healthy()).toBe(true);
    await suite.close();
    expect(ftp.healthy()).toBe(false);
  });
});
