/**
 * What `npm pack` would publish: a package a stranger can install and read. Checks the rules, not a file
 * list: every relative link in a shipped Markdown file reaches a shipped file, every source map carries the
 * sources it names, every package the published types import is a dependency that brings its own types.
 * @module
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

interface PackFile {
  path: string;
}

let shipped: Set<string>;
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  license?: string;
  repository?: unknown;
  dependencies?: Record<string, string>;
};

beforeAll(async () => {
  // --ignore-scripts: `npm test` has built dist already; prepare would only build it again.
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [report] = JSON.parse(stdout) as [{ files: PackFile[] }];
  shipped = new Set(report.files.map((f) => f.path));
}, 120_000);

/** Relative link targets in Markdown text, anchors and queries removed. */
function relativeLinks(markdown: string): string[] {
  const links: string[] = [];
  for (const m of markdown.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[1] ?? '';
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
    links.push(target.replace(/[#?].*$/, ''));
  }
  return links;
}

/** Bare module specifiers (packages, not relative paths or node: built-ins) a declaration file imports. */
function importedPackages(dts: string): string[] {
  const names: string[] = [];
  for (const m of dts.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)) {
    const spec = m[1] ?? '';
    if (spec.startsWith('.') || spec.startsWith('node:')) continue;
    const parts = spec.split('/');
    names.push(spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec));
  }
  return names;
}

function hasOwnTypes(name: string): boolean {
  const manifest = JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
    types?: string;
    typings?: string;
    exports?: unknown;
  };
  return Boolean(manifest.types ?? manifest.typings) || JSON.stringify(manifest.exports ?? {}).includes('"types"');
}

describe('the published package', () => {
  it('ships a licence file that matches package.json, and says where its repository is', () => {
    expect(shipped.has('LICENSE')).toBe(true);
    const licence = readFileSync(path.join(root, 'LICENSE'), 'utf8');
    expect(pkg.license).toBe('MIT');
    expect(licence).toMatch(/^MIT License/);
    expect(pkg.repository).toBeTruthy();
  });

  it('ships the compiled entry points with their types', () => {
    for (const entry of [
      'index',
      'protocols/http/index',
      'protocols/ftp/index',
      'protocols/smtp/index',
      'protocols/dns/index',
    ]) {
      expect(shipped.has(`dist/${entry}.js`), entry).toBe(true);
      expect(shipped.has(`dist/${entry}.d.ts`), entry).toBe(true);
    }
  });

  it('every relative link in a shipped Markdown file reaches a shipped file', () => {
    const broken: string[] = [];
    for (const file of shipped) {
      if (!file.endsWith('.md')) continue;
      for (const link of relativeLinks(readFileSync(path.join(root, file), 'utf8'))) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), link)).replace(/\/$/, '');
        const reached = shipped.has(target) || [...shipped].some((f) => f.startsWith(`${target}/`));
        if (!reached) broken.push(`${file} → ${link}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('every shipped source map carries its sources, or they are shipped beside it', () => {
    const missing: string[] = [];
    for (const file of shipped) {
      if (!file.endsWith('.map')) continue;
      const map = JSON.parse(readFileSync(path.join(root, file), 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      map.sources.forEach((source, i) => {
        if (typeof map.sourcesContent?.[i] === 'string') return;
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), source));
        if (!shipped.has(target)) missing.push(`${file} → ${source}`);
      });
    }
    expect(missing).toEqual([]);
  });

  it('every package the published types import is a dependency that brings its types', () => {
    const problems: string[] = [];
    const deps = pkg.dependencies ?? {};
    for (const file of shipped) {
      if (!file.endsWith('.d.ts')) continue;
      for (const name of importedPackages(readFileSync(path.join(root, file), 'utf8'))) {
        const typesPackage = `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;
        const typed = (name in deps && hasOwnTypes(name)) || typesPackage in deps;
        if (!typed) problems.push(`${file} imports ${name}`);
      }
    }
    expect([...new Set(problems)]).toEqual([]);
  });
});
