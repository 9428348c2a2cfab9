/**
 * The caller's event stream (`GET /api/v1/events`, WebSocket): JSON frames
 * `{type, workroomId, data, at}` for new messages, files, screenshots, money changes...
 *
 * Events are at most once: after a reconnect the listener is told (`onReconnect`) so the
 * page can re-read what it shows. The server asks for the same with a `stream.resync` frame
 * when its instances lost touch for a while (events may have been missed without this socket
 * closing); that frame goes to `onReconnect`, not to `onEvent`. Browsers authenticate with the session cookie; other
 * clients pass `getTicket` (a fresh single-use ticket per connect).
 */
export interface EventFrame<D = Record<string, unknown>> {
  type: string
  workroomId: string | null
  data: D
  at: string
}

export type StreamStatus = 'connecting' | 'open' | 'closed'

export interface EventStreamOptions {
  /** The server's address (`http(s)://...`); the page's origin by default. */
  baseUrl?: string
  getTicket?: () => Promise<string>
  WebSocketImpl?: typeof WebSocket
  onEvent(frame: EventFrame): void
  /** Called after a reconnect: events may have been missed meanwhile. */
  onReconnect?(): void
  onStatus?(status: StreamStatus): void
  /** Reconnect waits grow to this cap, each a random part of it (jitter). */
  maxReconnectMs?: number
}

export interface EventStream {
  readonly status: StreamStatus
  close(): void
}

/** The frame the server sends when events may have been missed: re-read, as after a reconnect. */
export const RESYNC = 'stream.resync'

/** Close codes after which reconnecting cannot help (signed out, forbidden). */
const terminal = new Set([4001, 4003])

export function connectEvents(options: EventStreamOptions): EventStream {
  const WS = options.WebSocketImpl ?? globalThis.WebSocket
  const origin = options.baseUrl ?? globalThis.location?.origin ?? ''
  const url = `${origin.replace(/^http/, 'ws').replace(/\/+$/, '')}/api/v1/events`
  let socket: WebSocket | null = null
  let status: StreamStatus = 'connecting'
  let attempt = 0
  let closed = false
  let timer: ReturnType<typeof setTimeout> | null = null
  let everOpened = false

  const setStatus = (next: StreamStatus) => {
    status = next
    options.onStatus?.(next)
  }

  const open = async () => {
    timer = null
    if (closed) return
    setStatus('connecting')
    let target = url
    if (options.getTicket) {
      try {
        target = `${url}?ticket=${encodeURIComponent(await options.getTicket())}`
      } catch {
        return retry()
      }
    }
    if (closed) return
    const ws = new WS(target)
    socket = ws
    ws.onopen = () => {
      attempt = 0
      setStatus('open')
      if (everOpened) options.onReconnect?.()
      everOpened = true
    }
    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') return
      try {
        const frame = JSON.parse(event.data) as EventFrame
        if (frame.type === RESYNC) options.onReconnect?.()
        else options.onEvent(frame)
      } catch {
        // A frame that is not JSON is not ours to handle.
      }
    }
    ws.onclose = (event) => {
      socket = null
      if (closed) return
      setStatus('closed')
      if (terminal.has(event.code)) return
      retry()
    }
  }

  const retry = () => {
    if (closed || timer) return
    attempt++
    const cap = Math.min(options.maxReconnectMs ?? 10_000, 250 * 2 ** attempt)
    timer = setTimeout(() => void open(), 100 + Math.random() * cap)
  }

  // Back online: try at once instead of waiting out the backoff.
  const online = () => {
    if (socket || closed) return
    if (timer) clearTimeout(timer)
    timer = null
    attempt = 0
    void open()
  }
  globalThis.addEventListener?.('online', online)

  void open()
  return {
    get status() {
      return status
    },
    close() {
      closed = true
      globalThis.removeEventListener?.('online', online)
      if (timer) clearTimeout(timer)
      socket?.close(1000)
      socket = null
    },
  }
}
