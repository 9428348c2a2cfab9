import t from 'tap'
import { createMemoryBus, createRedisBus, type Bus } from './bus.js'

t.setTimeout(30_000)

const silent = { warn() {}, info() {}, debug() {} }
const next = (bus: Bus, topic: string) =>
  new Promise<unknown>((resolve) => {
    const off = bus.subscribe(topic, (message) => {
      off()
      resolve(message)
    })
  })

t.test('memory bus delivers a copy on a later tick, and unsubscribe stops delivery', async (t) => {
  const bus = createMemoryBus()
  const sent = { n: 1, nested: { a: [1, 2] } }
  const received = next(bus, 'topic')
  await bus.publish('topic', sent)
  const got = await received
  t.same(got, sent)
  t.not(got, sent, 'a copy, not the sender object')
  let count = 0
  const off = bus.subscribe('topic', () => count++)
  off()
  await bus.publish('topic', {})
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(count, 0)
  await bus.close()
})

t.test(
  'Redis bus reaches every instance, this one included (needs REDIS_URL)',
  { skip: process.env.REDIS_URL ? false : 'needs REDIS_URL (CI runs it)' },
  async (t) => {
    const url = process.env.REDIS_URL!
    const one = await createRedisBus(url, silent)
    const two = await createRedisBus(url, silent)
    t.teardown(async () => {
      await one.close()
      await two.close()
    })
    const topic = `test.${Math.random().toString(36).slice(2)}`
    const atOne = next(one, topic)
    const atTwo = next(two, topic)
    await new Promise((resolve) => setTimeout(resolve, 100)) // subscriptions reach Redis
    await one.publish(topic, { hello: 'world' })
    t.same(await atTwo, { hello: 'world' }, 'the other instance receives it')
    t.same(await atOne, { hello: 'world' }, 'the sender receives it too')
  },
)
