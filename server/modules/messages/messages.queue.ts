interface Waiting<I, R> {
  item: I
  resolve(result: R): void
  reject(err: unknown): void
}

/**
 * One batch at a time: an item submitted while nothing runs waits one turn of the event loop
 * (the requests that arrived with it join it); items submitted while a batch runs wait and go
 * together in the next one, in the order they came. If a batch fails, each of its items runs
 * again alone, so one bad item fails only its own caller.
 *
 * The turn matters on PGlite: its statements run on the event loop and resolve as microtasks,
 * so nothing arrives while a batch runs, and without the turn every batch was one message.
 */
export function createBatches<I, R>(
  run: (items: I[]) => Promise<R[]>,
  options: { maxBatch: number },
): { submit(item: I): Promise<R> } {
  const queue: Array<Waiting<I, R>> = []
  let busy = false

  async function runAlone(waiting: Waiting<I, R>): Promise<void> {
    try {
      waiting.resolve((await run([waiting.item]))[0]!)
    } catch (err) {
      waiting.reject(err)
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, options.maxBatch)
      if (batch.length === 1) {
        await runAlone(batch[0]!)
        continue
      }
      let results: R[]
      try {
        results = await run(batch.map((waiting) => waiting.item))
      } catch {
        for (const waiting of batch) await runAlone(waiting)
        continue
      }
      batch.forEach((waiting, i) => waiting.resolve(results[i]!))
    }
    busy = false
  }

  return {
    submit(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject })
        if (busy) return
        busy = true
        setImmediate(() => void drain())
      })
    },
  }
}
