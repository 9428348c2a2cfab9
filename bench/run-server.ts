import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Starts a script in its own Node process (so the load generator does not share its event
 * loop) and waits until its output matches `ready`, or until `ready` (a URL) answers 200.
 * `BENCH_NODE_ARGS` (for example `--cpu-prof --cpu-prof-dir=/tmp/prof`) goes to that process.
 */
export async function startProcess(
  script: string,
  env: Record<string, string>,
  ready: RegExp | string,
): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  await new Promise<void>((resolve, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (ready instanceof RegExp && ready.test(output)) resolve()
    }
    if (typeof ready === 'string') {
      const poll = setInterval(() => {
        fetch(ready).then(
          (response) => {
            if (response.ok) {
              clearInterval(poll)
              resolve()
            }
          },
          () => {},
        )
      }, 100)
      child.once('exit', () => clearInterval(poll))
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${output.slice(-2000)}`)))
  })
  return {
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
