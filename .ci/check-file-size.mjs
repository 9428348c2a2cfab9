// `npm run check:size`: no source file over 400 lines, whatever its language (TypeScript,
// JavaScript, CSS, HTML, shell). A long file is split along its seams, not squeezed.
// Generated files (the SDK's OpenAPI types, database migrations) are left out.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const MAX_LINES = 400
const source = /\.(ts|tsx|js|mjs|cjs|css|html|sh)$|^\.ci\/run$/
const generated = /^(client\/sdk\/openapi\.d\.ts|db\/migrations\/)/

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
  .split('\n')
  .filter((file) => source.test(file) && !generated.test(file))
const long = []
for (const file of files) {
  let text
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    continue // listed by git but deleted in the working tree
  }
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0)
  if (lines > MAX_LINES) long.push(`${file}: ${lines} lines`)
}
if (long.length > 0) {
  console.error(`Files over ${MAX_LINES} lines (split them along their seams):\n${long.join('\n')}`)
  process.exit(1)
}
console.log(`${files.length} source files, none over ${MAX_LINES} lines`)
