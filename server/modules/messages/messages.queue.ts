interface Waiting<I, R> {
  item: I
  key: string
  resolve(result: R): void
  reject(err: unknown): void
}

/**
 * Batches of items, several keys (workrooms) to a batch, a key in one batch at a time: an
 * item waits one turn of the event loop (the requests that arrived with it join it), or, when
 * `maxInFlight` batches are running, until one of them ends, and goes in the next batch with
 * everything else waiting. Items of one key are stored in the order they came: a key already in a running
 * batch waits for it to finish, so its later items go in a later batch. Up to `maxInFlight`
 * batches run at once (on Postgres, in parallel on their own connections; batches lock
 * disjoint sets of workrooms). If a batch fails, each of its items runs again alone, so one
 * bad item fails only its own caller.
 *
 * The turn matters on PGlite: its statements run on the event loop and resolve as microtasks,
 * so nothing arrives while a batch runs, and without the turn every batch was one message.
 */
export function createBatches<I, R>(
  run: (items: I[]) => Promise<R[]>,
  options: { maxBatch: number; maxInFlight: number; keyOf: (item: I) => string },
): { submit(item: I): Promise<R> } {
  let queue: Array<Waiting<I, R>> = []
  /** Keys in a running batch. */
  const busy = new Set<string>()
  let inFlight = 0
  let scheduled = false

  async function runAlone(waiting: Waiting<I, R>): Promise<void> {
    try {
      waiting.resolve((await run([waiting.item]))[0]!)
    } catch (err) {
      waiting.reject(err)
    }
  }

  async function runBatch(batch: Array<Waiting<I, R>>): Promise<void> {
    if (batch.length === 1) return runAlone(batch[0]!)
    let results: R[]
    try {
      results = await run(batch.map((waiting) => waiting.item))
    } catch {
      for (const waiting of batch) await runAlone(waiting)
      return
    }
    batch.forEach((waiting, i) => waiting.resolve(results[i]!))
  }

  /** The next batch: waiting items in order, skipping (with all their later items) the keys already running. */
  function take(): Array<Waiting<I, R>> {
    const batch: Array<Waiting<I, R>> = []
    const rest: Array<Waiting<I, R>> = []
    for (const waiting of queue) {
      if (batch.length < options.maxBatch && !busy.has(waiting.key)) batch.push(waiting)
      else rest.push(waiting)
    }
    queue = rest
    for (const waiting of batch) busy.add(waiting.key)
    return batch
  }

  function start(): void {
    while (inFlight < options.maxInFlight && queue.length > 0) {
      const batch = take()
      if (batch.length === 0) return
      inFlight++
      void runBatch(batch).finally(() => {
        inFlight--
        for (const waiting of batch) busy.delete(waiting.key)
        start()
      })
    }
  }

  return {
    submit(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, key: options.keyOf(item), resolve, reject })
        if (inFlight >= options.maxInFlight || scheduled) return
        scheduled = true
        setImmediate(() => {
          scheduled = false
          start()
        })
      })
    },
  }
}
