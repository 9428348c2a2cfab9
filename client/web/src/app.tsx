import { ErrorBoundary, lazy, LocationProvider, Route, Router, useLocation } from 'preact-iso'
import { useEffect, useRef } from 'preact/hooks'
import { EventsProvider } from './lib/events.js'
import { SessionProvider, useSession } from './lib/session.js'
import { NoticeProvider } from './ui/notices.js'
import { Header } from './ui/header.js'
import { Loading } from './ui/states.js'
import { SignIn, SignUp } from './pages/auth.js'
import { JobBoard } from './pages/jobs.js'
import { JobForm } from './pages/job-form.js'
import { JobPage } from './pages/job.js'
import { MyWork } from './pages/mine.js'
import { NotFound } from './pages/not-found.js'

// Everything past the first pages loads on demand: the terms editor (CodeMirror + Yjs),
// the workroom, money and tracking pages stay out of the first download.
const WorkroomPage = lazy(() => import('./pages/workroom.js').then((m) => m.WorkroomPage))
const ContractPage = lazy(() => import('./pages/contract.js').then((m) => m.ContractPage))
const WalletPage = lazy(() => import('./pages/wallet.js').then((m) => m.WalletPage))
const OperatorPage = lazy(() => import('./pages/operator.js').then((m) => m.OperatorPage))
const OperatorSettingsPage = lazy(() => import('./pages/operator-settings.js').then((m) => m.OperatorSettingsPage))
const OperatorUsersPage = lazy(() => import('./pages/operator-users.js').then((m) => m.OperatorUsersPage))
const InvoicePage = lazy(() => import('./pages/invoice.js').then((m) => m.InvoicePage))
const InvoicesPage = lazy(() => import('./pages/invoices.js').then((m) => m.InvoicesPage))
const TrackerPage = lazy(() => import('./pages/tracker.js').then((m) => m.TrackerPage))
const WorkViewPage = lazy(() => import('./pages/workview.js').then((m) => m.WorkViewPage))
const TimesheetsPage = lazy(() => import('./pages/timesheets.js').then((m) => m.TimesheetsPage))
const ProfilePage = lazy(() => import('./pages/profile.js').then((m) => m.ProfilePage))
const SettingsPage = lazy(() => import('./pages/profile.js').then((m) => m.SettingsPage))
const AccountSettingsPage = lazy(() => import('./pages/account-settings.js').then((m) => m.AccountSettingsPage))
const ForgotPasswordPage = lazy(() => import('./pages/account-recovery.js').then((m) => m.ForgotPasswordPage))
const ResetPasswordPage = lazy(() => import('./pages/account-recovery.js').then((m) => m.ResetPasswordPage))
const VerifyEmailPage = lazy(() => import('./pages/account-recovery.js').then((m) => m.VerifyEmailPage))
const SecurityPage = lazy(() => import('./pages/security.js').then((m) => m.SecurityPage))
const NotificationsPage = lazy(() => import('./pages/notifications.js').then((m) => m.NotificationsPage))
const NotificationSettingsPage = lazy(() => import('./pages/notifications.js').then((m) => m.NotificationSettingsPage))
const UnsubscribePage = lazy(() => import('./pages/notifications.js').then((m) => m.UnsubscribePage))

export function App() {
  return (
    <LocationProvider>
      <SessionProvider>
        <NoticeProvider>
          <Shell />
        </NoticeProvider>
      </SessionProvider>
    </LocationProvider>
  )
}

function Shell() {
  const { user } = useSession()
  const { url } = useLocation()
  const main = useRef<HTMLElement>(null)
  // After a navigation, move focus to the page so keyboard and screen-reader users start there.
  const first = useRef(true)
  useEffect(() => {
    if (first.current) {
      first.current = false
      return
    }
    main.current?.focus()
  }, [url])

  return (
    <EventsProvider userId={user?.id ?? null}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" ref={main} tabIndex={-1}>
        {user === undefined ? (
          <Loading />
        ) : (
          <ErrorBoundary>
            <Router>
              <Route path="/" component={JobBoard} />
              <Route path="/jobs" component={JobBoard} />
              <Route path="/signin" component={SignIn} />
              <Route path="/signup" component={SignUp} />
              <Route path="/jobs/new" component={JobForm} />
              <Route path="/jobs/:id/edit" component={JobForm} />
              <Route path="/jobs/:id" component={JobPage} />
              <Route path="/me" component={MyWork} />
              <Route path="/workrooms/:id" component={WorkroomPage} />
              <Route path="/workrooms/:id/:tab" component={WorkroomPage} />
              <Route path="/contracts/:id" component={ContractPage} />
              <Route path="/contracts/:id/tracker" component={TrackerPage} />
              <Route path="/contracts/:id/workview" component={WorkViewPage} />
              <Route path="/contracts/:id/timesheets" component={TimesheetsPage} />
              <Route path="/invoices" component={InvoicesPage} />
              <Route path="/invoices/:id" component={InvoicePage} />
              <Route path="/wallet" component={WalletPage} />
              <Route path="/operator" component={OperatorPage} />
              <Route path="/operator/settings" component={OperatorSettingsPage} />
              <Route path="/operator/users" component={OperatorUsersPage} />
              <Route path="/users/:id" component={ProfilePage} />
              <Route path="/settings" component={SettingsPage} />
              <Route path="/settings/security" component={SecurityPage} />
              <Route path="/settings/account" component={AccountSettingsPage} />
              <Route path="/forgot-password" component={ForgotPasswordPage} />
              <Route path="/reset-password" component={ResetPasswordPage} />
              <Route path="/verify-email" component={VerifyEmailPage} />
              <Route path="/notifications" component={NotificationsPage} />
              <Route path="/notifications/settings" component={NotificationSettingsPage} />
              <Route path="/unsubscribe" component={UnsubscribePage} />
              <Route default component={NotFound} />
            </Router>
          </ErrorBoundary>
        )}
      </main>
    </EventsProvider>
  )
}
