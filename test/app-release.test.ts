// An app that was built and closed leaves nothing behind that keeps it alive: nothing global
// (an observer, a timer, a registry) may hold it. prom-client's default metrics once did, per
// app: every app a test process built stayed in memory (~5.5 MB each) with a GC callback and
// a 10 ms timer of its own, and the suite's processes spent a fifth of their time in GC.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import { build } from './helper.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

t.test('closed apps are garbage collected', async (t) => {
  const released: Array<WeakRef<object>> = []
  for (let i = 0; i < 4; i++) {
    await t.test(`app ${i + 1}: built, used, closed`, async (t) => {
      const ctx = await build(t)
      const user = await ctx.register('Gina')
      const me = await ctx.call({ method: 'GET', url: '/api/v1/me', token: user.token })
      t.equal(me.statusCode, 200)
      const metrics = await ctx.call({ method: 'GET', url: '/metrics' })
      t.equal(metrics.statusCode, 404, 'metrics need their token')
      released.push(new WeakRef(ctx.app))
    })
  }
  // Timers of the closed apps (a keep-alive, a retry) may need a turn to end.
  for (let round = 0; round < 10 && released.some((ref) => ref.deref()); round++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    gc()
  }
  // postgres.js keeps, for good, an Error made at the first call of each tagged query (its
  // originCache, for stack traces), and with it the context of the app that sent it: on
  // Postgres the first app of a process stays. Bounded: one, however many apps follow.
  const kept = released.filter((ref) => ref.deref()).length
  t.ok(kept <= 1, `of the four closed apps, ${kept} still in memory (at most one)`)
})
