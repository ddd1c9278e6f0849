/**
 * What a learner reads in the timeline of an FTP session: the greeting as its own exchange, and
 * multi-line replies with everything they said.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { python, startFtp, type TestFtp } from './helpers.js';

describe('ftp exchange records', () => {
  let ftp: TestFtp;
  beforeEach(async () => {
    ftp = await startFtp();
  });
  afterEach(() => ftp.close());

  it('records the greeting as (connect) → 220, and FEAT with its feature list', async () => {
    const r = await python(ftp.port, `print(ftp.sendcmd('FEAT'))\nftp.quit()`);
    expect(r.stderr).toBe('');
    const records = ftp.log.toArray();
    expect(records[0]).toMatchObject({
      request: '(connect)',
      response: expect.stringMatching(/^220 /),
      ok: true,
      side: 'server',
      bytesIn: 0,
    });
    expect(records[0]?.bytesOut).toBeGreaterThan(5);
    const feat = records.find((x) => x.request === 'FEAT');
    // Every feature the client was told is in the record, in the order it was told.
    const told = r.stdout
      .split('\n')
      .slice(1, -2)
      .map((l) => l.trim());
    expect(told.length).toBeGreaterThan(3);
    expect(feat?.response).toBe(`211 Features: ${told.join(' ')} End`);
    expect(records.map((x) => x.request)).toEqual(['(connect)', 'FEAT', 'QUIT']);
  });
});
