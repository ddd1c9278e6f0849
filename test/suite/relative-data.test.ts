import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSuite } from '../../suite/start-suite.js';

describe('startSuite with a relative data folder', () => {
  it('seeds the files into DATA/files and serves them', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-rel-'));
    const relative = path.relative(process.cwd(), dir);
    expect(path.isAbsolute(relative)).toBe(false);
    const suite = await startSuite({ protocols: ['ftp'], data: relative, files: { 'a/b.txt': 'seeded\n' } });
    try {
      expect((await suite.ftp.readFile('a/b.txt')).toString()).toBe('seeded\n');
      expect(await fs.readFile(path.join(dir, 'files/a/b.txt'), 'utf8')).toBe('seeded\n');
    } finally {
      await suite.close({ graceMs: 0 });
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
