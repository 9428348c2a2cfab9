import { setImmediate as turn } from 'node:timers/promises'
import t from 'tap'
import { createBatches } from './messages.queue.js'

type Item = { key: string; n: number; bad?: boolean }

/** A store whose batches stay open until the test lets them finish. */
function openStore() {
  const running: Array<{ items: Item[]; finish(): void }> = []
  const seen: Item[][] = []
  const run = (items: Item[]) => {
    seen.push(items)
    return new Promise<number[]>((resolve, reject) => {
      const entry = {
        items,
        finish: () => {
          running.splice(running.indexOf(entry), 1)
          if (items.some((item) => item.bad)) reject(new Error('refused'))
          else resolve(items.map((item) => item.n))
        },
      }
      running.push(entry)
    })
  }
  return { run, running, seen }
}

t.test('a key is in one running batch at a time, its items stored in the order they came', async (t) => {
  const store = openStore()
  const batches = createBatches(store.run, { maxBatch: 3, maxInFlight: 2, keyOf: (item: Item) => item.key })
  const items: Item[] = ['a', 'b', 'a', 'c', 'a', 'b'].map((key, n) => ({ key, n }))
  const answers = items.map((item) => batches.submit(item))
  const running = () => store.running.map((batch) => batch.items.map((item) => item.n))
  await turn()
  t.same(running(), [[0, 1, 2], [3]], 'two batches at once: the first three items (a, b, a), and c beside them')
  store.running[0]!.finish()
  await turn()
  t.same(running(), [[3], [4, 5]], 'a and b go on once their batch is over, in order')
  let settled = false
  void Promise.all(answers).then(() => (settled = true))
  for (let i = 0; i < 20 && !settled; i++) {
    store.running[0]?.finish()
    await turn()
  }
  t.same(await Promise.all(answers), [0, 1, 2, 3, 4, 5], 'each caller gets its own answer')
  const order = (key: string) =>
    store.seen
      .flat()
      .filter((item) => item.key === key)
      .map((item) => item.n)
  t.same(
    [order('a'), order('b')],
    [
      [0, 2, 4],
      [1, 5],
    ],
    'each key in the order its items came',
  )
})

t.test('a batch that fails runs its items again alone: only the bad one fails', async (t) => {
  const store = openStore()
  const batches = createBatches(store.run, { maxBatch: 10, maxInFlight: 1, keyOf: (item: Item) => item.key })
  const answers = [
    batches.submit({ key: 'a', n: 1 }),
    batches.submit({ key: 'b', n: 2, bad: true }),
    batches.submit({ key: 'c', n: 3 }),
  ].map((answer) =>
    answer.then(
      (n) => n,
      (err: Error) => err.message,
    ),
  )
  let settled = false
  void Promise.all(answers).then(() => (settled = true))
  for (let i = 0; i < 20 && !settled; i++) {
    await turn()
    store.running[0]?.finish()
  }
  t.same(await Promise.all(answers), [1, 'refused', 3])
  t.same(
    store.seen.map((batch) => batch.map((item) => item.n)),
    [[1, 2, 3], [1], [2], [3]],
    'the whole batch first, then each alone',
  )
})
