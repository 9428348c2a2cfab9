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

/**
 * For work that re-reads the database and is safe to repeat (a refresh after a commit): at
 * most one run per key (`keyOf(input)`, the input itself by default) at a time. A call while a
 * run is under way waits for one more run that starts when it ends, and every call that
 * arrives meanwhile shares that run, so each caller
 * still gets a run that began after its call (and sees what it committed before calling),
 * while the calls that arrive during one run cost one more run between them, not one each.
 */
export function coalescePerKey<I, T>(
  run: (input: I) => Promise<T>,
  keyOf: (input: I) => unknown = (input) => input,
): (input: I) => Promise<T> {
  type Entry = { settled: Promise<unknown>; queued: Promise<T> | null }
  const current = new Map<unknown, Entry>()

  function launch(key: unknown, input: I): Promise<T> {
    const result = (async () => run(input))()
    const entry: Entry = { settled: result.then(noop, noop), queued: null }
    current.set(key, entry)
    // A queued run replaces this entry itself; without one the key is free again.
    void entry.settled.then(() => {
      if (current.get(key) === entry && entry.queued === null) current.delete(key)
    })
    return result
  }

  return (input) => {
    const key = keyOf(input)
    const entry = current.get(key)
    if (!entry) return launch(key, input)
    // Inputs of one key stand for the same work: the first caller's runs for all of them.
    entry.queued ??= entry.settled.then(() => launch(key, input))
    return entry.queued
  }
}

const noop = () => {}
