interface Waiting<I, R> {
  item: I
  resolve(result: R): void
  reject(err: unknown): void
}

/**
 * One batch at a time per key (a workroom): an item submitted while its key is idle waits one
 * turn of the event loop (the requests that arrived with it join it); items submitted while a
 * batch runs wait and go together in the next one. If a batch fails, each of its items runs
 * again alone, so one bad item fails only its own caller.
 *
 * The turn matters on PGlite: its statements run on the event loop and resolve as microtasks,
 * so nothing arrives while a batch runs, and without the turn every batch was one message.
 */
export function createKeyedBatches<I, R>(
  run: (key: string, items: I[]) => Promise<R[]>,
  options: { maxBatch: number },
): { submit(key: string, item: I): Promise<R> } {
  const queues = new Map<string, Array<Waiting<I, R>>>()

  async function runAlone(key: string, waiting: Waiting<I, R>): Promise<void> {
    try {
      waiting.resolve((await run(key, [waiting.item]))[0]!)
    } catch (err) {
      waiting.reject(err)
    }
  }

  async function drain(key: string, queue: Array<Waiting<I, R>>): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, options.maxBatch)
      if (batch.length === 1) {
        await runAlone(key, batch[0]!)
        continue
      }
      let results: R[]
      try {
        results = await run(
          key,
          batch.map((waiting) => waiting.item),
        )
      } catch {
        for (const waiting of batch) await runAlone(key, waiting)
        continue
      }
      batch.forEach((waiting, i) => waiting.resolve(results[i]!))
    }
    queues.delete(key)
  }

  return {
    submit(key, item) {
      return new Promise<R>((resolve, reject) => {
        let queue = queues.get(key)
        const idle = !queue
        if (!queue) queues.set(key, (queue = []))
        queue.push({ item, resolve, reject })
        if (idle) setImmediate(() => void drain(key, queue!))
      })
    },
  }
}
