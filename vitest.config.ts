import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs only what a fresh machine has (node, python3, curl);
// `interop` drives Debian-packaged clients (dig, kdig, lftp, swaks) that .ci/run installs.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts', 'examples/**/*.test.ts'], exclude: ['test/interop/**'] },
      },
      { extends: true, test: { name: 'interop', include: ['test/interop/**/*.test.ts'] } },
    ],
  },
});
