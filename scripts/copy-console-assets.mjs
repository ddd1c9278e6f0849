// Copies the web console's static files (suite/console/assets) beside the compiled console in
// dist/, where static-assets.ts reads them: tsc compiles TypeScript only.
import fs from 'node:fs';

fs.rmSync('dist/suite/console/assets', { recursive: true, force: true });
fs.cpSync('suite/console/assets', 'dist/suite/console/assets', { recursive: true });
