import path from 'node:path';
import { defineConfig } from 'vitest/config';

const here = path.dirname(new URL(import.meta.url).pathname);

// Two projects: `unit` needs only what a fresh machine has (node, python3, curl);
// `interop` drives Debian-packaged clients (dig, kdig, lftp, swaks) that .ci/run installs.
export default defineConfig({
  // Examples import the package by its name, as users do; tests resolve it to the sources.
  resolve: {
    alias: [
      { find: /^minisuite$/, replacement: path.join(here, 'index.ts') },
      { find: /^minisuite\/(http|ftp|smtp|dns)$/, replacement: path.join(here, 'protocols/$1/index.ts') },
    ],
  },
  test: {
    // Generous on purpose: a test waits for events, and a test that spawns a dozen CLI processes or
    // python clients takes however long a busy, shared 2-core machine needs. A hang still fails.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts', 'examples/**/*.test.ts'], exclude: ['test/interop/**'] },
      },
      {
        extends: true,
        test: {
          name: 'interop',
          include: ['test/interop/**/*.test.ts'],
          // The browser tests wait for the page with expect.poll: patient, so a busy machine is not a failure.
          expect: { poll: { timeout: 30_000, interval: 100 } },
        },
      },
    ],
  },
});
