// Runs compiled tap test files, several files one after another in each Node process
// (test/group-host.mjs) and several processes at a time, and reports them as tap's runner
// would (`--reporter=tap`: the files as subtests, then the totals) or one line a file.
//
// Why not tap's runner: it loads an instrumentation hook into every test process and, through
// NODE_OPTIONS, into every process a test starts (it records which files each loaded, for
// coverage and `tap --changed`): every module load then crosses to a hook thread, which cost
// each test process 2-3 s of CPU. Why several files a process: loading the app and opening a
// PGlite database from its image cost each process another ~3 s of CPU, paid here once a group.
// The test files themselves are unchanged tap tests.
import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'

const indent = (text) =>
  text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => (line ? `    ${line}` : line))
    .join('\n')

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The test processes running now: stopped with the run (Ctrl-C, a CI timeout). */
const running = new Set()
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of running) child.kill('SIGKILL')
    process.exit(1)
  })
}

/**
 * One file's part of its group's output: its TAP (the subtest the host ran it in, its lines
 * unindented once) and what the process wrote to stderr while the file ran.
 */
function partOf(stdout, stderr, source) {
  const name = escapeRegExp(source)
  const start = new RegExp(`^# Subtest: ${name}$`, 'm').exec(stdout)
  let tap = ''
  if (start) {
    const rest = stdout.slice(start.index + start[0].length + 1)
    // The file's subtest ends at the next line a root writes (unindented), its result line.
    const end = /^\S.*$/m.exec(rest)
    tap = (end ? rest.slice(0, end.index) : rest).replace(/^ {4}/gm, '')
  }
  const marker = `# group-host: ${source}\n`
  const from = stderr.indexOf(marker)
  const errors = from < 0 ? '' : stderr.slice(from + marker.length).split(/^# group-host: .*\n/m)[0]
  return { tap, errors }
}

/**
 * Runs a group of files in one process. Resolves with the CPU it used outside its files (`rest`)
 * and a result per file the process reached:
 * those it finished (with their report), and the one it was running when it died, if it did.
 */
function runGroup(group, { host, nodeArgs, env, hardLimitMs }) {
  const args = [...nodeArgs, host, ...group.flatMap((file) => [file.compiled, file.source])]
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] })
  running.add(child)
  let stdout = ''
  let stderr = ''
  let reports = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  // The file's own timeout (tap's, from TAP_TIMEOUT or t.setTimeout) ends it; this limit is for
  // a process whose event loop is stuck and cannot run that timer. It restarts with each file.
  let limit
  const armLimit = () => {
    clearTimeout(limit)
    limit = setTimeout(() => {
      stderr += `\n# killed after ${hardLimitMs / 1000} s without finishing a file\n`
      child.kill('SIGKILL')
    }, hardLimitMs)
  }
  armLimit()
  child.stdio[3].on('data', (chunk) => {
    reports += chunk
    armLimit()
  })
  const started = Date.now()
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      running.delete(child)
      clearTimeout(limit)
      const lines = reports
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
      const bySource = new Map(lines.filter((line) => line.source).map((report) => [report.source, report]))
      // The CPU the process used outside its files (start, the shared browser, the teardowns).
      const rest = lines.reduce((sum, line) => sum + (line.rest ?? 0), 0)
      const results = []
      let elapsed = 0
      for (const file of group) {
        const report = bySource.get(file.source)
        const { tap, errors } = partOf(stdout, stderr, file.source)
        if (report) {
          elapsed += report.ms
          results.push({ file, tap, errors, report, ok: (report.counts.fail ?? 0) === 0 && report.counts.total > 0 })
          continue
        }
        // The file the process was running when it ended: what it wrote, and how it ended.
        const status = signal ? `signal ${signal}` : `exit code ${code}`
        const tail = stderr.includes(`# group-host: ${file.source}\n`) ? errors : stderr
        const ms = Date.now() - started - elapsed
        results.push({
          file,
          tap,
          errors: `${tail}\n# the test process ended (${status})\n`,
          report: { ms },
          ok: false,
        })
        break
      }
      // A process that exits non-zero after every file reported (a teardown that threw).
      if (results.length === group.length && results.every((result) => result.ok) && (code !== 0 || signal)) {
        const last = results.at(-1)
        last.ok = false
        last.errors += `\n# the test process ended with ${signal ? `signal ${signal}` : `exit code ${code}`}\n${stderr}`
      }
      resolve({ results, rest })
    })
  })
}

/**
 * Runs every file, `jobs` processes at a time, the longest (by the last run's times) first, so
 * that no long file starts last. Each process takes the next files from the queue until they
 * add up to `groupSeconds` of the last run's time. Resolves true when every file passed.
 */
export async function runTests(files, options) {
  const { jobs, reporter, timingsFile, seedTimingsFile, groupSeconds = 60 } = options
  const write = options.write ?? ((text) => process.stdout.write(text))
  // A clone that never ran the suite (CI) starts from the committed times of a reference run.
  const read = (file) => (file ? readFile(file, 'utf8').then(JSON.parse, () => null) : Promise.resolve(null))
  const previous = (await read(timingsFile)) ?? (await read(seedTimingsFile)) ?? {}
  const estimate = (file) => previous[file.source] ?? 20_000
  // Files never timed go first: they may be long.
  const queue = [...files].sort((a, b) => (previous[b.source] ?? 1e9) - (previous[a.source] ?? 1e9))
  const started = Date.now()
  const totals = { total: 0, pass: 0, fail: 0, skip: 0, todo: 0 }
  let cpu = 0
  const failed = []
  const times = { ...previous }
  let done = 0
  if (reporter === 'tap') write('TAP version 14\n')

  const report = (result) => {
    done += 1
    const counts = result.report.counts ?? { total: 1, pass: 0, fail: 1 }
    for (const key of Object.keys(totals)) totals[key] += counts[key] ?? 0
    // A file that failed without a failing test (a crash, a kill, no test at all) counts as one.
    if (!result.ok && (counts.fail ?? 0) === 0) {
      totals.fail += 1
      totals.total += 1
    }
    times[result.file.source] = result.report.ms
    cpu += result.report.cpu ?? 0
    if (reporter === 'tap') {
      write(`# Subtest: ${result.file.source}\n${indent(result.tap)}\n`)
      if (result.errors.trim()) write(`${indent(result.errors.replace(/^/gm, '# '))}\n`)
      write(`${result.ok ? 'ok' : 'not ok'} ${done} - ${result.file.source} # time=${result.report.ms}ms\n\n`)
    } else {
      const seconds = `${(result.report.ms / 1000).toFixed(1)} s`.padStart(8)
      const cpuSeconds = result.report.cpu === undefined ? '' : `${result.report.cpu.toFixed(1)} s CPU`
      write(`${result.ok ? 'ok  ' : 'FAIL'} ${seconds} ${cpuSeconds.padStart(12)}  ${result.file.source}\n`)
    }
    if (!result.ok) failed.push(result)
  }

  const nextGroup = () => {
    const group = []
    let planned = 0
    while (queue.length && (group.length === 0 || planned + estimate(queue[0]) <= groupSeconds * 1000)) {
      planned += estimate(queue[0])
      group.push(queue.shift())
    }
    return group
  }

  const worker = async () => {
    for (let group = nextGroup(); group.length; group = nextGroup()) {
      const { results, rest } = await runGroup(group, options)
      for (const result of results) report(result)
      cpu += rest
      // Files after one that took its process down never started: they go back to the queue.
      queue.unshift(...group.slice(results.length))
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker))
  await writeFile(timingsFile, JSON.stringify(times, null, 1)).catch(() => {})

  const summary = Object.entries(totals)
    .filter(([key, value]) => key === 'total' || key === 'pass' || value > 0)
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ')
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  if (reporter === 'tap') {
    write(`1..${files.length}\n# { ${summary} }\n# time=${Date.now() - started}ms cpu=${cpu.toFixed(1)}s\n`)
  } else {
    for (const result of failed) write(`\n=== ${result.file.source}\n${result.tap}${result.errors}`)
    write(`\n${files.length} files, ${summary}, ${seconds} s, ${cpu.toFixed(0)} s of CPU\n`)
    if (failed.length) write(`failed: ${failed.map((result) => result.file.source).join(', ')}\n`)
  }
  return failed.length === 0
}
