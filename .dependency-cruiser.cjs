/**
 * The layers of minisuite (issue #12), checked by test/architecture/layers.test.ts in `npm test`:
 *   shared/            imports only shared/ (it knows no protocol verbs)
 *   protocols/X/       imports only shared/ and its own folder
 *   suite/, cli/       sit on top (cli may use suite; suite never uses cli)
 * and no import cycles anywhere outside the tests. Type-only imports count: they couple too.
 * Run by hand: npx depcruise --config .dependency-cruiser.cjs index.ts shared protocols suite cli
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Modules that import each other cannot be read, tested or moved one at a time.',
      severity: 'error',
      from: { pathNot: '^(test|bench|examples)/' },
      to: { circular: true },
    },
    {
      name: 'shared-imports-only-shared',
      comment: 'shared/ is the core every protocol stands on; it imports nothing else of ours.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(protocols|suite|cli|test|bench|examples)/|^index\\.ts$' },
    },
    {
      name: 'protocol-imports-no-other-protocol',
      comment: 'A protocol folder imports only shared/ and itself.',
      severity: 'error',
      from: { path: '^protocols/([^/]+)/' },
      to: { path: '^protocols/', pathNot: '^protocols/$1/' },
    },
    {
      name: 'protocol-imports-nothing-above',
      comment: 'Protocols do not know the suite, the command line or the package entry.',
      severity: 'error',
      from: { path: '^protocols/' },
      to: { path: '^(suite|cli|test|bench|examples)/|^index\\.ts$' },
    },
    {
      name: 'suite-imports-no-cli',
      comment: 'The suite is a library (startSuite); the command line sits on it, not under it.',
      severity: 'error',
      from: { path: '^suite/' },
      to: { path: '^(cli|test|bench|examples)/|^index\\.ts$' },
    },
    {
      name: 'cli-imports-no-tests',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: '^(test|bench|examples)/|^index\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
