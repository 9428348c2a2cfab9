// The one-way architecture, checked by `npm run check:arch` (docs/architecture.md says why).
// Every rule is an error and holds for every file, tests and benchmarks included.

const kernel = '^server/(plugins|realtime|http)/|^server/(clock|ids|config|batch)[.]ts$'
const moduleEntry = '^server/modules/[^/]+/index[.]ts$'

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle anywhere: arrows run one way.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-module-cycle',
      severity: 'error',
      comment:
        'No cycle between module folders, even one no single file closes. check:arch checks it on the ' +
        'graph of server/modules alone: through the test helper, which builds the whole app, every ' +
        'folder would reach every other.',
      scope: 'folder',
      from: { path: '^server/modules/[^/]+$' },
      to: { path: '^server/modules/[^/]+$', circular: true },
    },
    {
      name: 'module-entry-only',
      severity: 'error',
      comment: 'Another module is reached through its public entry, server/modules/<m>/index.ts, never its files.',
      from: { path: '^server/modules/([^/]+)/' },
      to: { path: '^server/modules/', pathNot: ['^server/modules/$1/', moduleEntry] },
    },
    {
      name: 'module-entry-only-outside',
      severity: 'error',
      comment: 'app.ts, the command-line tools, tests and benchmarks reach a module through its index.ts too.',
      from: { pathNot: '^server/modules/' },
      to: { path: '^server/modules/', pathNot: moduleEntry },
    },
    {
      name: 'kernel-not-to-modules',
      severity: 'error',
      comment:
        'Plugins, the real-time engine and the shared kernel (http, clock, ids, config) know no domain: ' +
        'modules register with them (document kinds, deadlines, hooks).',
      from: { path: kernel },
      to: { path: '^server/modules/' },
    },
    {
      name: 'db-not-to-server',
      severity: 'error',
      comment: 'The schema, migrations and client factory stand below the server.',
      from: { path: '^db/' },
      to: { path: '^(server|client)/' },
    },
    {
      name: 'common-is-neutral',
      severity: 'error',
      comment: 'common/ is what server and browser share: it imports neither of them, nor the database.',
      from: { path: '^common/' },
      to: { path: '^(server|client|db)/' },
    },
    {
      name: 'client-not-to-server',
      severity: 'error',
      comment: 'The browser code and the SDK get the API from the generated OpenAPI types, never from server code.',
      from: { path: '^client/' },
      to: { path: '^(server|db)/' },
    },
    {
      name: 'server-not-to-client',
      severity: 'error',
      comment: 'What both sides need lives in common/.',
      from: { path: '^server/' },
      to: { path: '^client/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import the checker cannot follow would escape every rule above.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^client/web/dist/' },
    // Type-only imports are dependencies too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve packages as Node and the bundler do, through their `exports` maps.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
}
