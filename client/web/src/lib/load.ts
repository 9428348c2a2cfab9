import { useCallback, useEffect, useRef, useState } from 'preact/hooks'

export interface Loaded<T> {
  data: T | undefined
  error: unknown
  loading: boolean
  reload(): Promise<void>
  /** Replace the data locally (after an action answered with the new state). */
  set(update: T | ((previous: T | undefined) => T)): void
}

/** Loads data for a page and re-loads when `deps` change. */
export function useLoad<T>(fetcher: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<unknown>(null)
  const [loading, setLoading] = useState(true)
  const latest = useRef(0)
  const fetcherRef = useRef(fetcher)
  fetcherRef.current = fetcher

  const reload = useCallback(async () => {
    const ticket = ++latest.current
    setLoading(true)
    try {
      const value = await fetcherRef.current()
      if (ticket !== latest.current) return
      setData(value)
      setError(null)
    } catch (err) {
      if (ticket !== latest.current) return
      setError(err)
    } finally {
      if (ticket === latest.current) setLoading(false)
    }
  }, [])

  useEffect(() => {
    setData(undefined)
    void reload()
    // The caller's deps decide when to load again (like useEffect's own list).
  }, deps)

  const set = useCallback((update: T | ((previous: T | undefined) => T)) => {
    setData((previous) => (typeof update === 'function' ? (update as (p: T | undefined) => T)(previous) : update))
  }, [])

  return { data, error, loading, reload, set }
}
