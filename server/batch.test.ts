import t from 'tap'
import { createBatcher } from './batch.js'

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
