import { createContext, type ComponentChildren } from 'preact'
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { connectEvents, type EventFrame, type StreamStatus } from '../../../sdk/events.js'

type Listener = { onEvent(frame: EventFrame): void; onReconnect?(): void }

interface EventsState {
  status: StreamStatus | 'off'
  subscribe(listener: Listener): () => void
}

const EventsContext = createContext<EventsState>({ status: 'off', subscribe: () => () => {} })

/** One event stream for the whole app while someone is signed in. */
export function EventsProvider({ userId, children }: { userId: string | null; children: ComponentChildren }) {
  const listeners = useRef(new Set<Listener>())
  const [status, setStatus] = useState<StreamStatus | 'off'>('off')
  useEffect(() => {
    if (!userId) {
      setStatus('off')
      return
    }
    const stream = connectEvents({
      onEvent: (frame) => {
        for (const listener of listeners.current) listener.onEvent(frame)
      },
      onReconnect: () => {
        for (const listener of listeners.current) listener.onReconnect?.()
      },
      onStatus: setStatus,
    })
    return () => stream.close()
  }, [userId])
  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener)
    return () => {
      listeners.current.delete(listener)
    }
  }, [])
  const value = useMemo(() => ({ status, subscribe }), [status, subscribe])
  return <EventsContext.Provider value={value}>{children}</EventsContext.Provider>
}

/**
 * Calls `onEvent` for each event (filter inside) and `onReconnect` after the stream came
 * back (re-read what the page shows: events are at most once).
 */
export function useEvents(onEvent: (frame: EventFrame) => void, onReconnect?: () => void): StreamStatus | 'off' {
  const ctx = useContext(EventsContext)
  const handlers = useRef({ onEvent, onReconnect })
  handlers.current = { onEvent, onReconnect }
  useEffect(
    () =>
      ctx.subscribe({
        onEvent: (frame) => handlers.current.onEvent(frame),
        onReconnect: () => handlers.current.onReconnect?.(),
      }),
    [ctx.subscribe],
  )
  return ctx.status
}

export type { EventFrame }
