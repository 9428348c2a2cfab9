import t from 'tap'
import { coalescePerKey, createBatcher } from './batch.js'

t.test('calls made together run as one batch; calls made while it runs, as the next', async (t) => {
  const batches: number[][] = []
  let release: () => void = () => {}
  const double = createBatcher(async (inputs: number[]) => {
    batches.push(inputs)
    if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve))
    return inputs.map((n) => n * 2)
  })
  const first = [1, 2, 3].map((n) => double(n))
  await new Promise((resolve) => setImmediate(resolve))
  const second = [4, 5].map((n) => double(n))
  release()
  t.same(await Promise.all([...first, ...second]), [2, 4, 6, 8, 10], 'each call gets its own answer')
  t.same(
    batches,
    [
      [1, 2, 3],
      [4, 5],
    ],
    'two batches: the first three, then the two that waited',
  )
})

t.test('a failed batch fails its own calls only; the next batch runs', async (t) => {
  const check = createBatcher(async (inputs: string[]) => {
    if (inputs.includes('bad')) throw new Error('storage unavailable')
    return inputs.map((s) => s.toUpperCase())
  })
  const failed = await Promise.allSettled([check('a'), check('bad')])
  t.match(failed, [{ status: 'rejected' }, { status: 'rejected' }], 'both calls of the failed batch fail')
  t.equal(await check('c'), 'C', 'a later call is answered')
})

t.test('a crowd larger than the batch size runs in several batches', async (t) => {
  const sizes: number[] = []
  const same = createBatcher(async (inputs: number[]) => {
    sizes.push(inputs.length)
    return inputs
  }, 4)
  t.same(await Promise.all([...Array(10).keys()].map((n) => same(n))), [...Array(10).keys()])
  t.same(sizes, [4, 4, 2])
})

t.test(
  'a burst of refreshes for one key runs twice, and every caller gets a run that began after its call',
  async (t) => {
    let version = 0
    const runs: Array<{ key: string; saw: number }> = []
    const gates: Array<() => void> = []
    const refresh = coalescePerKey(async (key: string) => {
      const saw = version
      runs.push({ key, saw })
      await new Promise<void>((resolve) => gates.push(resolve))
      return saw
    })
    version = 1
    const first = refresh('a')
    const other = refresh('b')
    version = 2
    const burst = [refresh('a'), refresh('a'), refresh('a')]
    t.same(
      runs,
      [
        { key: 'a', saw: 1 },
        { key: 'b', saw: 1 },
      ],
      'a call for another key runs at once; the burst waits for the run under way',
    )
    gates.shift()!()
    t.equal(await first, 1, 'the first caller gets its own run')
    await new Promise((resolve) => setImmediate(resolve))
    t.same(runs.at(-1), { key: 'a', saw: 2 }, 'the burst shares one run that started after the first ended')
    gates.splice(0).forEach((open) => open())
    t.same(await Promise.all(burst), [2, 2, 2], 'each caller of the burst sees what was written before its call')
    t.equal(await other, 1)
    t.equal(runs.length, 3, 'five calls, three runs')
    version = 3
    const later = refresh('a')
    gates.splice(0).forEach((open) => open())
    t.equal(await later, 3, 'once idle, a call runs at once again')
  },
)

t.test('a failed run fails only the calls it served; the next call runs again', async (t) => {
  let fail = true
  const refresh = coalescePerKey(async () => {
    if (fail) throw new Error('database unavailable')
    return 'ok'
  })
  await t.rejects(refresh('a'), /database unavailable/)
  fail = false
  t.equal(await refresh('a'), 'ok')
})

t.test('inputs with the same key share runs: a week named by two Date objects is one week', async (t) => {
  const runs: string[] = []
  const gates: Array<() => void> = []
  const openAll = () => gates.splice(0).forEach((open) => open())
  const announce = coalescePerKey(
    async (change: { contractId: string; weekStart: Date }) => {
      runs.push(change.weekStart.toISOString())
      await new Promise<void>((resolve) => gates.push(resolve))
    },
    (change) => `${change.contractId}|${change.weekStart.getTime()}`,
  )
  const first = announce({ contractId: 'c1', weekStart: new Date('2026-11-23T00:00:00Z') })
  const same = [1, 2].map(() => announce({ contractId: 'c1', weekStart: new Date('2026-11-23T00:00:00Z') }))
  const other = announce({ contractId: 'c1', weekStart: new Date('2026-11-30T00:00:00Z') })
  t.equal(runs.length, 2, 'the first call and the other week run at once; the two repeats wait')
  openAll()
  await Promise.all([first, other])
  await new Promise((resolve) => setImmediate(resolve))
  t.same(runs.slice(2), ['2026-11-23T00:00:00.000Z'], 'the two repeats share one run')
  openAll()
  await Promise.all(same)
})
