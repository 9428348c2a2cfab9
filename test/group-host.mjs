// Runs several compiled test files one after another in this one process, each as a subtest
// of tap's root named by its source path (test/tap-current.mjs makes it the file's `t`).
//
// Loading the app and opening a PGlite database from its image cost each test process ~3 s of
// CPU; here that is paid once for the whole group: the app's modules stay loaded, and the
// databases a file's tests emptied are handed to the next file (test/helper.ts).
//
// After each file it writes one JSON line to fd 3 for the runner: the file, its counts, its
// time and the CPU it used (this process's and its finished children's, Chromium's included).
//
//   node test/group-host.mjs <compiled file> <source path> [<compiled file> <source path> ...]
import { readFileSync, writeSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import tap from 'tap'
import { setCurrentTest } from './tap-current.mjs'

const pairs = process.argv.slice(2)
/** Where test/flat-errors.mjs finds the file being run. */
const failing = Symbol.for('workroom.test.failing')
const timeoutMs = Number(process.env.TAP_TIMEOUT || 30) * 1000

/** CPU seconds used by this process and the children it waited for, from /proc. */
function cpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8')
    // Fields after the command name (which may hold spaces, inside parentheses).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0)
    return ticks / 100
  } catch {
    const usage = process.cpuUsage()
    return (usage.user + usage.system) / 1e6
  }
}

// The whole group has no time limit of its own: each file has its file's (TAP_TIMEOUT, or
// what the file sets with t.setTimeout), as when it ran as a root.
tap.setTimeout(0)

// What the process used outside its files (its start; after the last file the root's
// teardowns: the shared browser and the databases closed, the browser's CPU reaped with it),
// reported when the process exits.
let cpuInFiles = 0
process.on('exit', () => {
  writeSync(3, `${JSON.stringify({ rest: Math.round((cpuSeconds() - cpuInFiles) * 100) / 100 })}\n`)
})

for (let index = 0; index < pairs.length; index += 2) {
  const [compiled, source] = [pairs[index], pairs[index + 1]]
  const started = Date.now()
  const cpuBefore = cpuSeconds()
  // Where this file's part of stderr begins (stderr is a pipe: written in order, at once).
  process.stderr.write(`# group-host: ${source}\n`)
  let test
  await tap.test(source, { timeout: timeoutMs }, async (t) => {
    test = t
    setCurrentTest(t)
    globalThis[failing] = t
    await import(pathToFileURL(compiled).href)
  })
  setCurrentTest(tap)
  globalThis[failing] = undefined
  const counts = test?.counts ?? {}
  const report = {
    source,
    ms: Date.now() - started,
    cpu: Math.round((cpuSeconds() - cpuBefore) * 100) / 100,
    counts: { total: counts.total, pass: counts.pass, fail: counts.fail, skip: counts.skip, todo: counts.todo },
  }
  cpuInFiles += report.cpu
  writeSync(3, `${JSON.stringify(report)}\n`)
}
