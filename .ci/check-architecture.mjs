// `npm run check:arch`: checks the import rules of .dependency-cruiser.cjs over the given
// folders; exits 1 on any violation. `--graph` prints the module graph as mermaid instead
// (docs/architecture.md embeds it).
//
// It calls dependency-cruiser's API rather than its `depcruise` command, which refuses to
// start on Node 20 (the API runs there), and it checks the folder-scoped rule
// (no-module-cycle) on the graph of server/modules alone: through the test helper, which
// builds the whole app, every folder would otherwise reach every other.
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { cruise } from 'dependency-cruiser'
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
process.chdir(root)
const config = createRequire(import.meta.url)(path.join(root, '.dependency-cruiser.cjs'))
const args = process.argv.slice(2)
const graph = args.includes('--graph')
const folders = args.filter((arg) => !arg.startsWith('--'))
const modules = '^server/modules/'

const isFolderRule = (rule) => rule.scope === 'folder'
const tsConfig = extractTSConfig(config.options.tsConfig.fileName)
const run = (paths, options) => cruise(paths, { ...config.options, ...options }, {}, { tsConfig })

if (graph) {
  // One box per module, arrows between modules only (code outside server/modules left out).
  const result = await run(['server/modules'], {
    includeOnly: modules,
    exclude: { path: [config.options.exclude.path, '[.]test[.]ts$'] },
    collapse: '^server/modules/[^/]+',
    outputType: 'mermaid',
  })
  process.stdout.write(result.output)
  process.exit(0)
}

const passes = [
  {
    paths: folders.length ? folders : ['server', 'client', 'common', 'db', 'test', 'bench'],
    rules: config.forbidden.filter((r) => !isFolderRule(r)),
  },
  { paths: ['server/modules'], rules: config.forbidden.filter(isFolderRule), includeOnly: modules },
]
let violations = 0
for (const pass of passes) {
  const result = await run(pass.paths, {
    ruleSet: { forbidden: pass.rules },
    validate: true,
    outputType: 'err',
    ...(pass.includeOnly ? { includeOnly: pass.includeOnly } : {}),
  })
  process.stdout.write(result.output)
  violations += result.exitCode
}
process.exit(violations > 0 ? 1 : 0)
