// `npm run check`: the typecheck, lint, format check, file sizes, architecture rules, clone
// detector and configuration docs check, one per core at a time (each is one process on one core; one
// after another they took ~145 s of CI's run). Each one's output is printed whole when it
// ends, so two never interleave; the run fails when any fails, after all have ended.
import { spawn } from 'node:child_process'
import os from 'node:os'

const tasks = [
  // The two longest first: they run beside each other and the short ones fill in after.
  ['typecheck', 'npm run --silent typecheck'],
  ['lint', 'npm run --silent lint'],
  ['format', 'npm run --silent format:check'],
  ['file sizes', 'npm run --silent check:size'],
  ['architecture', 'npm run --silent check:arch'],
  ['clones', 'npm run --silent check:dupes'],
  ['config docs', 'npm run --silent docs:config -- --check'],
]
const width = Math.max(1, Math.min(Number(process.env.CHECK_JOBS) || os.availableParallelism(), tasks.length))

function run([name, command]) {
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('close', (code, signal) => {
      const ok = code === 0 && !signal
      const seconds = ((Date.now() - started) / 1000).toFixed(1)
      process.stdout.write(`${ok ? 'ok' : 'FAILED'}  ${name} (${seconds} s): ${command}\n`)
      if (output.trim()) process.stdout.write(`${output.replace(/\n?$/, '\n')}`)
      resolve(ok)
    })
  })
}

let next = 0
const results = []
await Promise.all(
  Array.from({ length: width }, async () => {
    while (next < tasks.length) results.push(await run(tasks[next++]))
  }),
)
const failed = results.filter((ok) => !ok).length
if (failed > 0) {
  process.stdout.write(`${failed} of ${tasks.length} checks failed\n`)
  process.exit(1)
}
