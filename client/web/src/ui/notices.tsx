import { createContext, type ComponentChildren } from 'preact'
import { useCallback, useContext, useMemo, useState } from 'preact/hooks'

interface Notice {
  id: number
  text: string
  tone: 'ok' | 'bad'
}

const NoticeContext = createContext<(text: string, tone?: 'ok' | 'bad') => void>(() => {})

/** Short confirmations ("Proposal sent") in a polite live region instead of alert(). */
export function NoticeProvider({ children }: { children: ComponentChildren }) {
  const [notices, setNotices] = useState<Notice[]>([])
  const notify = useCallback((text: string, tone: 'ok' | 'bad' = 'ok') => {
    const id = Date.now() + Math.random()
    setNotices((list) => [...list.slice(-2), { id, text, tone }])
    setTimeout(() => setNotices((list) => list.filter((n) => n.id !== id)), 5000)
  }, [])
  const value = useMemo(() => notify, [notify])
  return (
    <NoticeContext.Provider value={value}>
      {children}
      <div class="notices" role="status" aria-live="polite">
        {notices.map((n) => (
          <div key={n.id} class={`notice notice--${n.tone}`}>
            {n.text}
          </div>
        ))}
      </div>
    </NoticeContext.Provider>
  )
}

export const useNotify = () => useContext(NoticeContext)
