/**
 * Group commit for any statement many clients run at once: calls that arrive while a batch
 * runs (or in the same turn of the event loop) run together as the next batch, in one
 * statement. Alone, a call waits one turn of the event loop; under load, a crowd of calls costs
 * a few statements instead of one each (on PGlite, whose one connection runs every statement
 * in turn, a crowd of clients reconnecting after a restart otherwise queues for seconds).
 *
 * `run` answers each input, in order; if it throws, every call of that batch fails with it.
 */
export function createBatcher<In, Out>(
  run: (inputs: In[]) => Promise<Out[]>,
  maxSize = 500,
): (input: In) => Promise<Out> {
  type Waiting = { input: In; resolve(output: Out): void; reject(err: unknown): void }
  let waiting: Waiting[] = []
  let scheduled = false
  let running = false

  function schedule() {
    if (scheduled || running) return
    scheduled = true
    setImmediate(() => {
      scheduled = false
      void next()
    })
  }

  async function next() {
    if (running || waiting.length === 0) return
    const batch = waiting.slice(0, maxSize)
    waiting = waiting.slice(batch.length)
    running = true
    try {
      const outputs = await run(batch.map((call) => call.input))
      batch.forEach((call, i) => call.resolve(outputs[i] as Out))
    } catch (err) {
      for (const call of batch) call.reject(err)
    } finally {
      running = false
      if (waiting.length > 0) schedule()
    }
  }

  return (input) =>
    new Promise<Out>((resolve, reject) => {
      waiting.push({ input, resolve, reject })
      schedule()
    })
}
