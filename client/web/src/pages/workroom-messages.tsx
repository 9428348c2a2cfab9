import { useLocation } from 'preact-iso'
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { Message, StoredFile, Thread, Workroom } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { useEvents } from '../lib/events.js'
import { formatBytes, formatDateTime } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { errorFor, FormError, useSubmit } from '../ui/forms.js'
import { Async, Empty, Loading } from '../ui/states.js'
import { Uploader } from '../ui/uploader.js'

/** Private threads: the client has one per freelancer, a freelancer only their own. */
export function MessagesTab({ hub, userId, threadId }: { hub: Workroom; userId: string; threadId: string | null }) {
  const { route } = useLocation()
  const threads = useLoad(
    () => ok(api.GET('/api/v1/workrooms/{id}/threads', { params: { path: { id: hub.id }, query: { limit: 100 } } })),
    [hub.id],
  )
  const clientName = useLoad(
    () => ok(api.GET('/api/v1/users/{id}', { params: { path: { id: hub.job.clientId } } })).then((u) => u.name),
    [hub.job.clientId],
  )

  // A message in another thread: refresh the unread counts.
  useEvents(
    (frame) => {
      if (frame.workroomId === hub.id && (frame.type === 'message.created' || frame.type === 'thread.read'))
        void threads.reload()
    },
    () => void threads.reload(),
  )

  return (
    <Async state={threads} label="Loading threads…">
      {(list) => {
        if (list.items.length === 0)
          return <Empty>No conversations yet. A thread opens with each proposal or invitation.</Empty>
        const current =
          list.items.find((t) => t.id === threadId) ??
          (hub.role === 'freelancer' || list.items.length === 1 ? list.items[0]! : null)
        return (
          <div class={hub.role === 'client' ? 'threads threads--with-list' : 'threads'}>
            {hub.role === 'client' && (
              <nav aria-label="Threads">
                <ul class="thread-list">
                  {list.items.map((t) => (
                    <li key={t.id}>
                      <a
                        href={`/workrooms/${hub.id}/messages?thread=${t.id}`}
                        aria-current={current?.id === t.id ? 'true' : undefined}
                        onClick={(e) => {
                          e.preventDefault()
                          route(`/workrooms/${hub.id}/messages?thread=${t.id}`, true)
                        }}
                      >
                        <strong>{t.freelancer.name}</strong>
                        {t.unreadCount > 0 && <span class="badge badge--info"> {t.unreadCount} new</span>}
                        <br />
                        <span class="muted">{t.lastMessage ? t.lastMessage.preview : 'No messages yet'}</span>
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
            )}
            {current ? (
              <ThreadView
                key={current.id}
                hub={hub}
                thread={current}
                userId={userId}
                names={{
                  [hub.job.clientId]: clientName.data ?? 'Client',
                  [current.freelancer.id]: current.freelancer.name,
                }}
              />
            ) : (
              <Empty>Pick a thread to read it.</Empty>
            )}
          </div>
        )
      }}
    </Async>
  )
}

function ThreadView({
  hub,
  thread,
  userId,
  names,
}: {
  hub: Workroom
  thread: Thread
  userId: string
  names: Record<string, string>
}) {
  const [messages, setMessages] = useState<Message[] | null>(null)
  const [older, setOlder] = useState<string | null>(null)
  const [loadError, setLoadError] = useState<unknown>(null)
  const list = useRef<HTMLOListElement>(null)
  const stickToBottom = useRef(true)

  const loadLatest = async () => {
    try {
      const page = await ok(
        api.GET('/api/v1/threads/{id}/messages', { params: { path: { id: thread.id }, query: { limit: 50 } } }),
      )
      setMessages((current) => merge(current ?? [], page.items))
      setOlder((o) => o ?? page.nextCursor)
      setLoadError(null)
    } catch (err) {
      setLoadError(err)
    }
  }
  useEffect(() => {
    void loadLatest()
  }, [thread.id])

  // Live: each new message of this thread arrives over the event stream.
  useEvents(
    (frame) => {
      if (frame.type !== 'message.created') return
      const message = frame.data as unknown as Message
      if (message.threadId === thread.id) setMessages((current) => merge(current ?? [], [message]))
    },
    () => void loadLatest(),
  )

  // Keep the newest message in view unless the reader scrolled up.
  useLayoutEffect(() => {
    const el = list.current
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight
  }, [messages])

  // Move the read marker to the newest message while the thread is on screen.
  const lastId = messages?.[messages.length - 1]?.id
  useEffect(() => {
    if (!lastId || document.visibilityState !== 'visible') return
    void ok(
      api.POST('/api/v1/threads/{id}/read', { params: { path: { id: thread.id } }, body: { upToMessageId: lastId } }),
    ).catch(() => {})
  }, [lastId, thread.id])

  const loadOlder = async () => {
    if (!older) return
    const page = await ok(
      api.GET('/api/v1/threads/{id}/messages', {
        params: { path: { id: thread.id }, query: { limit: 50, cursor: older } },
      }),
    )
    stickToBottom.current = false
    setMessages((current) => merge(current ?? [], page.items))
    setOlder(page.nextCursor)
  }

  return (
    <section
      class="card thread"
      aria-label={`Conversation with ${hub.role === 'client' ? thread.freelancer.name : 'the client'}`}
    >
      <h2>{hub.role === 'client' ? thread.freelancer.name : `${names[hub.job.clientId] ?? 'Client'} (client)`}</h2>
      {loadError !== null && !messages ? (
        <FormError error={loadError} />
      ) : !messages ? (
        <Loading label="Loading messages…" />
      ) : (
        <>
          {older && (
            <button type="button" class="link-button" onClick={() => void loadOlder()}>
              Load earlier messages
            </button>
          )}
          <ol
            class="messages"
            ref={list}
            tabIndex={0}
            aria-label="Conversation so far"
            aria-live="polite"
            data-testid="messages"
            onScroll={(e) => {
              const el = e.currentTarget
              stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40
            }}
          >
            {messages.length === 0 && <li class="muted">No messages yet. Say hello.</li>}
            {messages.map((m) => (
              <li key={m.id} class={`message${m.authorId === userId ? ' mine' : ''}`}>
                <span class="who">
                  {m.authorId === userId ? 'You' : (names[m.authorId] ?? 'Someone')} ·{' '}
                  <time dateTime={m.createdAt}>{formatDateTime(m.createdAt)}</time>
                </span>
                <p>{m.body}</p>
                {m.attachments.length > 0 && (
                  <ul class="attachments">
                    {m.attachments.map((a) => (
                      <li key={a.id}>
                        {a.deleted ? (
                          <span class="muted">{a.name} (deleted)</span>
                        ) : (
                          <a href={`/api/v1/files/${a.id}/content`}>{a.name}</a>
                        )}{' '}
                        <span class="muted">{formatBytes(a.size)}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
      <Composer
        hub={hub}
        thread={thread}
        onSent={(m) => {
          stickToBottom.current = true
          setMessages((current) => merge(current ?? [], [m]))
        }}
      />
    </section>
  )
}

/** Adds messages, each once, oldest first (the list answers newest first; events come one by one). */
function merge(current: Message[], incoming: Message[]): Message[] {
  const byId = new Map(current.map((m) => [m.id, m]))
  for (const m of incoming) byId.set(m.id, m)
  return [...byId.values()].sort((a, b) =>
    a.createdAt === b.createdAt ? a.id.localeCompare(b.id) : a.createdAt.localeCompare(b.createdAt),
  )
}

function Composer({ hub, thread, onSent }: { hub: Workroom; thread: Thread; onSent(m: Message): void }) {
  const [body, setBody] = useState('')
  const [attachments, setAttachments] = useState<StoredFile[]>([])
  const { busy, error, run } = useSubmit()
  const id = `composer-${thread.id}`
  const send = () =>
    run(async () => {
      const message = await ok(
        api.POST('/api/v1/threads/{id}/messages', {
          params: { path: { id: thread.id } },
          body: { body, ...(attachments.length ? { attachmentFileIds: attachments.map((a) => a.id) } : {}) },
        }),
      )
      setBody('')
      setAttachments([])
      onSent(message)
    })
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault()
        void send()
      }}
    >
      <label for={id} class="visually-hidden">
        Message
      </label>
      <textarea
        id={id}
        rows={2}
        placeholder="Write a message… (Enter sends, Shift+Enter for a new line)"
        value={body}
        aria-invalid={errorFor(error, 'body') ? true : undefined}
        onInput={(e) => setBody(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault()
            if (body.trim()) void send()
          }
        }}
      />
      <button type="submit" class="button button--primary" disabled={busy || !body.trim()}>
        {busy ? 'Sending…' : 'Send'}
      </button>
      <Uploader
        workroomId={hub.id}
        threadId={thread.id}
        label="Attach"
        onUploaded={(f) => setAttachments((list) => [...list, f])}
      />
      {attachments.length > 0 && (
        <ul class="tags" aria-label="Attached files">
          {attachments.map((a) => (
            <li key={a.id}>
              {a.name}{' '}
              <button
                type="button"
                class="link-button"
                aria-label={`Remove ${a.name}`}
                onClick={() => setAttachments((list) => list.filter((x) => x.id !== a.id))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div style={{ flexBasis: '100%' }}>
        <FormError error={error} />
      </div>
    </form>
  )
}
