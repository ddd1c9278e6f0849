/**
 * The layering rules of `.dependency-cruiser.cjs` hold for the sources, and each rule fails when
 * the import it forbids is added (checked on a small tree written to a temporary folder).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const config = path.join(repo, '.dependency-cruiser.cjs');
const depcruise = path.join(repo, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
/** Cruising loads TypeScript; on a busy machine that takes a while. Not a speed assertion. */
const CRUISE_TIMEOUT_MS = 240_000;

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

async function cruise(cwd: string, targets: string[]): Promise<Violation[]> {
  // The JSON reporter exits non-zero when there are violations; the report is on stdout either way.
  const out = await run(process.execPath, [depcruise, '--config', config, '--output-type', 'json', ...targets], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  const result = JSON.parse(out.stdout) as { summary: { violations: Violation[] } };
  return result.summary.violations;
}

describe('layers', () => {
  it(
    'hold for the sources: shared, protocols, suite and cli import only what their layer may, no cycles',
    async () => {
      const violations = await cruise(repo, ['index.ts', 'shared', 'protocols', 'suite', 'cli']);
      expect(violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
    },
    CRUISE_TIMEOUT_MS,
  );

  let tree: string | undefined;
  afterAll(async () => {
    if (tree) await fs.rm(tree, { recursive: true, force: true });
  });

  it(
    'fail when a forbidden import is added',
    async () => {
      tree = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-layers-'));
      const files: Record<string, string> = {
        'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }),
        // Allowed: a protocol on shared, its own helper; the suite and the cli on top.
        'shared/core.ts': 'export const core = 1;\n',
        'protocols/good/server.ts':
          "import { core } from '../../shared/core.js';\nimport { h } from './helper.js';\nexport const s = core + h;\n",
        'protocols/good/helper.ts': 'export const h = 1;\n',
        'suite/run.ts': "import { s } from '../protocols/good/server.js';\nexport const r = s;\n",
        'cli/main.ts': "import { r } from '../suite/run.js';\nexport const m = r;\n",
        // Forbidden, one of each.
        'shared/upward.ts': "import { s } from '../protocols/good/server.js';\nexport const u = s;\n",
        'protocols/ftp/cross.ts': "import { s } from '../good/server.js';\nexport const c = s;\n",
        'protocols/dns/to-suite.ts': "import type { r } from '../../suite/run.js';\nexport type T = typeof r;\n",
        'protocols/http/to-cli.ts': "import { m } from '../../cli/main.js';\nexport const t = m;\n",
        'suite/to-cli.ts': "import { m } from '../cli/main.js';\nexport const t = m;\n",
        'shared/cycle-a.ts': "import type { B } from './cycle-b.js';\nexport type A = { b?: B };\n",
        'shared/cycle-b.ts': "import type { A } from './cycle-a.js';\nexport type B = { a?: A };\n",
      };
      for (const [name, text] of Object.entries(files)) {
        await fs.mkdir(path.dirname(path.join(tree, name)), { recursive: true });
        await fs.writeFile(path.join(tree, name), text);
      }
      const found = (await cruise(tree, ['shared', 'protocols', 'suite', 'cli']))
        // A cycle is reported once, from whichever of its modules the cruise met first.
        .map((v) => `${v.rule.name}: ${v.from}`.replace(/cycle-[ab]/, 'cycle-?'))
        .sort();
      expect([...new Set(found)]).toEqual(
        [
          'no-cycles: shared/cycle-?.ts',
          'protocol-imports-no-other-protocol: protocols/ftp/cross.ts',
          'protocol-imports-nothing-above: protocols/dns/to-suite.ts',
          'protocol-imports-nothing-above: protocols/http/to-cli.ts',
          'shared-imports-only-shared: shared/upward.ts',
          'suite-imports-no-cli: suite/to-cli.ts',
        ].sort(),
      );
    },
    CRUISE_TIMEOUT_MS,
  );
});
