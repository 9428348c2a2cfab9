import { useLocation } from 'preact-iso'
import { useState } from 'preact/hooks'
import { useSession } from '../lib/session.js'
import { Bell } from './bell.js'

export function Header() {
  const { user, signOut } = useSession()
  const { path, route } = useLocation()
  const [open, setOpen] = useState(false)
  // The most specific nav entry for this address is the active one (/jobs/new is "Post a job").
  const hrefs = ['/jobs', '/jobs/new', '/me', '/invoices', '/wallet', '/operator', '/signin', '/signup']
  const current = hrefs.filter((h) => path === h || path.startsWith(`${h}/`)).sort((a, b) => b.length - a.length)[0]
  const link = (href: string, label: string) => (
    <a
      href={href}
      class={current === href ? 'active' : undefined}
      aria-current={path === href ? 'page' : undefined}
      onClick={() => setOpen(false)}
    >
      {label}
    </a>
  )
  return (
    <header class="site-header">
      <a class="brand" href="/">
        Workroom
      </a>
      {user && <Bell onNavigate={() => setOpen(false)} />}
      <button
        type="button"
        class="menu-toggle"
        aria-expanded={open}
        aria-controls="site-nav"
        onClick={() => setOpen(!open)}
      >
        Menu
      </button>
      <nav id="site-nav" class={open ? 'open' : undefined} aria-label="Main">
        {link('/jobs', 'Find work')}
        {user && link('/jobs/new', 'Post a job')}
        {user && link('/me', 'My work')}
        {user && link('/invoices', 'Invoices')}
        {user && link('/wallet', 'Wallet')}
        {user?.role === 'operator' && link('/operator', 'Operator')}
        <span class="nav-spacer" />
        {user ? (
          <>
            <a href="/settings" class="who" onClick={() => setOpen(false)}>
              {user.name}
            </a>
            <button
              type="button"
              class="link-button"
              onClick={async () => {
                setOpen(false)
                await signOut()
                route('/')
              }}
            >
              Sign out
            </button>
          </>
        ) : (
          <>
            {link('/signin', 'Sign in')}
            {link('/signup', 'Sign up')}
          </>
        )}
      </nav>
    </header>
  )
}
