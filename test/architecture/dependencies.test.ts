/**
 * Every runtime dependency in package.json is imported by the shipped sources: one nothing uses
 * (prom-client was one) is weight and attack surface for every user.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const SOURCES = ['index.ts', 'shared', 'protocols', 'suite', 'cli'];

async function sourceFiles(entry: string): Promise<string[]> {
  const full = path.join(repo, entry);
  const stat = await fs.stat(full);
  if (stat.isFile()) return [full];
  const out: string[] = [];
  for (const e of await fs.readdir(full, { withFileTypes: true, recursive: true }))
    if (e.isFile() && e.name.endsWith('.ts')) out.push(path.join(e.parentPath, e.name));
  return out;
}

describe('package.json', () => {
  it('lists only runtime dependencies the sources import', async () => {
    const pkg = JSON.parse(await fs.readFile(path.join(repo, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const imported = new Set<string>();
    for (const file of (await Promise.all(SOURCES.map(sourceFiles))).flat()) {
      const text = await fs.readFile(file, 'utf8');
      for (const m of text.matchAll(/\bfrom\s+'([^'.][^']*)'|\bimport\(\s*'([^'.][^']*)'\s*\)/g)) {
        const spec = (m[1] ?? m[2]) as string;
        const parts = spec.split('/');
        imported.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string));
      }
    }
    // A `@types/x` package ships the types of an imported `x` with our declarations.
    const used = (d: string) => imported.has(d.startsWith('@types/') ? d.slice('@types/'.length) : d);
    expect(Object.keys(pkg.dependencies).filter((d) => !used(d))).toEqual([]);
  });
});
