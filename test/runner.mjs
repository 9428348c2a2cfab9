// Runs compiled tap test files, each in a Node process of its own, several at a time, and
// reports them as tap's runner would (`--reporter=tap`: the files as subtests, then the totals)
// or one line a file.
//
// tap's own runner loads an instrumentation hook into every test process and, through
// NODE_OPTIONS, into every process a test starts (it records which files each loaded, for
// coverage and `tap --changed`): every module load then crosses to a hook thread, which cost
// each test process 2-3 s of CPU, a quarter of the suite. The test files themselves are
// unchanged tap tests: each prints TAP and its own totals, which are summed here.
import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'

/** `# { total: 11, pass: 10, fail: 1 }` as tap's root test prints it, or null. */
function parseCounts(output) {
  const lines = output.split('\n').filter((line) => /^# \{.*total:/.test(line))
  if (lines.length === 0) return null
  const counts = {}
  for (const [, key, value] of lines.at(-1).matchAll(/(\w+): (\d+)/g)) counts[key] = Number(value)
  return counts
}

const indent = (text) =>
  text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => (line ? `    ${line}` : line))
    .join('\n')

/** The test processes running now: stopped with the run (Ctrl-C, a CI timeout). */
const running = new Set()
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of running) child.kill('SIGKILL')
    process.exit(1)
  })
}

/** One file in its own process: its output, exit, time, and the counts it printed. */
function runFile(file, { nodeArgs, env, hardLimitMs }) {
  const started = Date.now()
  const child = spawn(process.execPath, [...nodeArgs, file.compiled], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  // A test's stray writes to stderr stay with its file, after its TAP.
  let errors = ''
  child.stderr.on('data', (chunk) => (errors += chunk))
  // The file's own timeout (tap's, from TAP_TIMEOUT or t.setTimeout) ends it; this is for a
  // process whose event loop is stuck and cannot run that timer.
  const limit = setTimeout(() => {
    errors += `\n# killed after ${hardLimitMs / 1000} s\n`
    child.kill('SIGKILL')
  }, hardLimitMs)
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      running.delete(child)
      clearTimeout(limit)
      resolve({ file, output, errors, code, signal, ms: Date.now() - started, counts: parseCounts(output) })
    })
  })
}

/**
 * Runs every file, `jobs` at a time, the longest (by the last run's times) first, so that
 * no long file starts last. Resolves true when every file passed.
 */
export async function runTests(files, options) {
  const { jobs, reporter, timingsFile, write = (text) => process.stdout.write(text) } = options
  const previous = await readFile(timingsFile, 'utf8').then(JSON.parse, () => ({}))
  // Files never timed go first: they may be long.
  const queue = [...files].sort((a, b) => (previous[b.source] ?? 1e9) - (previous[a.source] ?? 1e9))
  const started = Date.now()
  const totals = { total: 0, pass: 0, fail: 0, skip: 0, todo: 0 }
  const failed = []
  const times = { ...previous }
  let done = 0
  if (reporter === 'tap') write('TAP version 14\n')

  const report = (result) => {
    done += 1
    const counts = result.counts ?? { total: 1, pass: 0, fail: 1 }
    const ok = result.code === 0 && !result.signal && (counts.fail ?? 0) === 0 && result.counts !== null
    for (const key of Object.keys(totals)) totals[key] += counts[key] ?? 0
    // A process that failed without a failing assertion (a crash, a kill): the file counts as one.
    if (!ok && (counts.fail ?? 0) === 0) {
      totals.fail += 1
      totals.total += 1
    }
    times[result.file.source] = result.ms
    const status = result.signal ? `signal ${result.signal}` : `exit code ${result.code}`
    if (reporter === 'tap') {
      write(`# Subtest: ${result.file.source}\n${indent(result.output)}\n`)
      if (result.errors.trim()) write(`${indent(result.errors.replace(/^/gm, '# '))}\n`)
      write(`${ok ? 'ok' : 'not ok'} ${done} - ${result.file.source} # time=${result.ms}ms\n`)
      if (!ok) write(`  ---\n  ${status}\n  ...\n`)
      write('\n')
    } else {
      const seconds = `${(result.ms / 1000).toFixed(1)} s`.padStart(8)
      write(`${ok ? 'ok  ' : 'FAIL'} ${seconds}  ${result.file.source}${ok ? '' : ` (${status})`}\n`)
    }
    if (!ok) failed.push(result)
  }

  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) report(await runFile(file, options))
  }
  await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker))
  await writeFile(timingsFile, JSON.stringify(times, null, 1)).catch(() => {})

  const summary = Object.entries(totals)
    .filter(([key, value]) => key === 'total' || key === 'pass' || value > 0)
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ')
  if (reporter === 'tap') {
    write(`1..${files.length}\n# { ${summary} }\n# time=${Date.now() - started}ms\n`)
  } else {
    for (const result of failed) {
      write(`\n=== ${result.file.source}\n${result.output}${result.errors}`)
    }
    write(`\n${files.length} files, ${summary}, ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
    if (failed.length) write(`failed: ${failed.map((result) => result.file.source).join(', ')}\n`)
  }
  return failed.length === 0
}
