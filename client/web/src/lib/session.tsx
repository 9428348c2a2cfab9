import { createContext, type ComponentChildren } from 'preact'
import { useLocation } from 'preact-iso'
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks'
import type { User } from '../../../sdk/types.js'
import { api, ApiError, ok } from './api.js'
import { setTimeZone } from './format.js'

interface SessionState {
  /** undefined while the first `GET /me` is in flight. */
  user: User | null | undefined
  setUser(user: User | null): void
  signOut(): Promise<void>
}

const SessionContext = createContext<SessionState>({ user: undefined, setUser: () => {}, signOut: async () => {} })

export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [user, setUserState] = useState<User | null | undefined>(undefined)
  const setUser = useCallback((next: User | null) => {
    setTimeZone(next?.timeZone)
    setUserState(next)
  }, [])

  useEffect(() => {
    ok(api.GET('/api/v1/me')).then(
      (me) => setUser(me),
      (err) => {
        // 401 is simply "not signed in"; anything else too, but the pages will say so.
        if (!(err instanceof ApiError) || err.status !== 401) console.warn('could not load the session', err)
        setUser(null)
      },
    )
  }, [setUser])

  const signOut = useCallback(async () => {
    try {
      await ok(api.POST('/api/v1/auth/logout'))
    } finally {
      setUser(null)
    }
  }, [setUser])

  const value = useMemo(() => ({ user, setUser, signOut }), [user, setUser, signOut])
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

export const useSession = () => useContext(SessionContext)

/** Pages that need an account send visitors to sign in, then back. Null until signed in. */
export function useRequireUser(): User | null {
  const { user } = useSession()
  const { route, url } = useLocation()
  useEffect(() => {
    if (user === null) route(`/signin?next=${encodeURIComponent(url)}`, true)
  }, [user, url, route])
  return user ?? null
}
