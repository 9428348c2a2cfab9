import * as decoding from 'lib0/decoding'
import type { Awareness } from 'y-protocols/awareness'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'

/** Close codes after which reconnecting cannot help (sign in again, or access is gone). */
const terminalCodes = new Set([1009, 4001, 4003])
const isTerminal = (code: number) => terminalCodes.has(code) || (code >= 4400 && code < 4500)

export interface OpenDocumentOptions {
  /** The server's base URL (`http(s)://` or `ws(s)://`), e.g. `https://workroom.example.com`. */
  baseUrl: string
  /** e.g. `contract:<id>:terms`. */
  docName: string
  /** A fresh single-use ticket (`POST /api/v1/realtime/tickets`); called before every connect. */
  getTicket(): Promise<string>
  /** The document to bind (a new one by default). */
  doc?: Y.Doc
  /** A WebSocket class outside browsers (Node: `ws`). */
  WebSocketPolyfill?: unknown
  /** Keep true in Node and tests: otherwise providers in one process talk over BroadcastChannel. */
  disableBc?: boolean
  /** Reconnect waits grow from this... */
  minReconnectMs?: number
  /** ...to this cap; each wait is random up to the current cap ("full jitter"), so clients do not return in lockstep. */
  maxReconnectMs?: number
}

export interface WorkroomDocument {
  doc: Y.Doc
  awareness: Awareness
  provider: WebsocketProvider
  /** Resolves once the document matches the server's. */
  synced(): Promise<void>
  /** The last close the server sent, if any. */
  readonly lastClose: { code: number; reason: string } | null
  /** The reason of the last refusal the server sent (e.g. `document.too_large: ...`). */
  readonly denied: string | null
  /** The server ended the connection for good (no access, signed out, document full). */
  onTerminated(listener: (close: { code: number; reason: string }) => void): void
  destroy(): void
}

/** Builds a ticket source for an API token (non-browser clients; browsers may rely on the cookie). */
export function ticketsFor(baseUrl: string, token: string, fetchImpl: typeof fetch = fetch): () => Promise<string> {
  const http = baseUrl.replace(/^ws/, 'http').replace(/\/+$/, '')
  return async () => {
    const response = await fetchImpl(`${http}/api/v1/realtime/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    })
    if (!response.ok) throw new Error(`ticket request failed: ${response.status}`)
    return ((await response.json()) as { ticket: string }).ticket
  }
}

/**
 * Opens a shared workroom document: a stock y-websocket provider whose reconnects fetch a
 * fresh ticket (tickets are single use) after a jittered wait.
 */
export function openDocument(options: OpenDocumentOptions): WorkroomDocument {
  const doc = options.doc ?? new Y.Doc()
  const base = options.baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '')
  const provider = new WebsocketProvider(`${base}/api/v1/docs`, options.docName, doc, {
    connect: false,
    params: {},
    disableBc: options.disableBc ?? false,
    ...(options.WebSocketPolyfill ? { WebSocketPolyfill: options.WebSocketPolyfill as typeof WebSocket } : {}),
  })
  const min = options.minReconnectMs ?? 250
  const max = options.maxReconnectMs ?? 10_000
  let attempt = 0
  let destroyed = false
  let timer: ReturnType<typeof setTimeout> | null = null
  let lastClose: { code: number; reason: string } | null = null
  let denied: string | null = null
  const terminatedListeners: Array<(close: { code: number; reason: string }) => void> = []

  // Capture refusals (auth messages) instead of the stock console warning.
  const handlers = (provider as unknown as { messageHandlers: Array<(...args: unknown[]) => void> }).messageHandlers
  handlers[2] = (_encoder: unknown, decoder: unknown) => {
    // auth message: varuint 0 (permission denied), then the reason
    const d = decoder as decoding.Decoder
    decoding.readVarUint(d)
    denied = decoding.readVarString(d)
  }

  const connect = async () => {
    timer = null
    if (destroyed) return
    try {
      provider.params = { ticket: await options.getTicket() }
    } catch {
      return scheduleReconnect()
    }
    if (!destroyed) provider.connect()
  }

  const scheduleReconnect = () => {
    if (destroyed || timer) return
    attempt++
    const cap = Math.min(max, min * 2 ** attempt)
    timer = setTimeout(() => void connect(), Math.random() * cap)
  }

  provider.on('connection-close', (event: CloseEvent | null) => {
    // We reconnect ourselves (with a new ticket): keep the provider from reusing the old URL.
    provider.shouldConnect = false
    if (destroyed) return
    if (event) lastClose = { code: event.code, reason: event.reason }
    if (event && isTerminal(event.code)) {
      for (const listener of terminatedListeners) listener({ code: event.code, reason: event.reason })
      return
    }
    scheduleReconnect()
  })
  provider.on('sync', (synced: boolean) => {
    if (synced) attempt = 0
  })
  void connect()

  return {
    doc,
    awareness: provider.awareness,
    provider,
    synced: () =>
      provider.synced
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const onSync = (state: boolean) => {
              if (!state) return
              provider.off('sync', onSync)
              resolve()
            }
            provider.on('sync', onSync)
          }),
    get lastClose() {
      return lastClose
    },
    get denied() {
      return denied
    },
    onTerminated(listener) {
      terminatedListeners.push(listener)
    },
    destroy() {
      destroyed = true
      if (timer) clearTimeout(timer)
      provider.destroy()
      // The awareness keeps a timer running until destroyed.
      provider.awareness.destroy()
      doc.destroy()
    },
  }
}
