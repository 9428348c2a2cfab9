// What a test file gets for `import t from 'tap'` when `npm test` runs several files in one
// process (test/group-host.mjs): the test of the file being run, in place of tap's root.
//
// Each file then runs as a subtest of the process's root, as it would run as the root of a
// process of its own: its top-level tests, teardowns and `t.setTimeout` belong to it and end
// with it. A file run alone (`npx tap file.ts`) imports tap itself and never sees this module.
import tap from 'tap'

export * from 'tap'

let current = tap

/** Makes `t` in the files imported from now on the given test (the file's own). */
export function setCurrentTest(test) {
  current = test
}

export default new Proxy(
  {},
  {
    get(_, key) {
      const value = current[key]
      return typeof value === 'function' ? value.bind(current) : value
    },
    set(_, key, value) {
      current[key] = value
      return true
    },
    has: (_, key) => key in current,
  },
)
