// Loaded before anything else in each `npm test` process (node --import), before tap. tap gives every test a "domain" (the package
// async-hook-domain) that follows each asynchronous call (each promise included) through an
// async hook with destroy tracking, so that an error thrown where no test awaits it is pinned
// on the test whose work threw. In a process running the app, every promise then pays for
// the hook: 12-15% of a money test's CPU, and more garbage collection.
//
// Here the domains' hook is never switched on, and an error nothing awaits fails the file
// being run instead (the group host runs one file at a time): the test still fails, named by
// its file rather than its subtest. One that surfaces late fails whatever runs then (the next
// file, or between files the whole process, which the runner reports as the file it was to
// run): loud, though misnamed. Run a file alone (`npx tap file.ts`) for tap's own way.
import asyncHooks from 'node:async_hooks'
import { syncBuiltinESMExports } from 'node:module'

const createHook = asyncHooks.createHook
asyncHooks.createHook = function (callbacks) {
  const hook = createHook.call(this, callbacks)
  if (!new Error().stack?.includes('async-hook-domain')) return hook
  return { enable: () => hook, disable: () => hook }
}
syncBuiltinESMExports()

/** The file being run (test/group-host.mjs sets it), whose test an error nothing awaits fails. */
const failing = Symbol.for('workroom.test.failing')

const fail = (error) => {
  const test = globalThis[failing]
  if (!test) throw error
  // tap's own domains pass a thrown non-object wrapped, as threw() needs an object.
  test.threw(error !== null && typeof error === 'object' ? error : { error })
}
process.on('uncaughtException', fail)
process.on('unhandledRejection', fail)
