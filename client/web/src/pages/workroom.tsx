import { useLocation, useRoute } from 'preact-iso'
import type { Workroom } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { useEvents } from '../lib/events.js'
import { useLoad } from '../lib/load.js'
import { useRequireUser } from '../lib/session.js'
import { Async, Loading, StateBadge } from '../ui/states.js'
import { ActivityTab } from './workroom-activity.js'
import { FilesTab } from './workroom-files.js'
import { MessagesTab } from './workroom-messages.js'
import { ProposalsTab } from './workroom-proposals.js'
import { usePageTitle } from '../lib/title.js'

const tabs = [
  { key: 'proposals', label: 'Proposals' },
  { key: 'messages', label: 'Messages' },
  { key: 'files', label: 'Files' },
  { key: 'activity', label: 'Activity' },
] as const

/** The hub of one job: proposals, private threads, files, the activity log, contracts. */
export function WorkroomPage() {
  const user = useRequireUser()
  const { params } = useRoute()
  const id = params.id!
  const workroom = useLoad(() => ok(api.GET('/api/v1/workrooms/{id}', { params: { path: { id } } })), [id])
  // Proposals, hires and contracts change while the page is open: re-read the hub.
  useEvents(
    (frame) => {
      if (frame.workroomId === id && /^(proposal|contract|terms)\./.test(frame.type)) void workroom.reload()
    },
    () => void workroom.reload(),
  )
  if (!user) return <Loading />
  return (
    <section class="page">
      <Async state={workroom}>
        {(hub) => <WorkroomHub hub={hub} tab={params.tab} reload={() => void workroom.reload()} userId={user.id} />}
      </Async>
    </section>
  )
}

function WorkroomHub({
  hub,
  tab: requested,
  reload,
  userId,
}: {
  hub: Workroom
  tab: string | undefined
  reload(): void
  userId: string
}) {
  const { query } = useLocation()
  const tab = tabs.some((t) => t.key === requested) ? requested! : hub.role === 'client' ? 'proposals' : 'messages'
  usePageTitle(`${tabs.find((t) => t.key === tab)!.label}: ${hub.job.title}`)
  return (
    <>
      <p class="muted">
        Workroom · you are the {hub.role} · <a href={`/jobs/${hub.job.id}`}>job post</a>{' '}
        <StateBadge state={hub.job.state} />
      </p>
      <h1>{hub.job.title}</h1>
      {hub.contracts.length > 0 && (
        <div class="card contracts-strip">
          <h2>Contracts</h2>
          <ul>
            {hub.contracts.map((c) => (
              <li key={c.id}>
                <a href={`/contracts/${c.id}`}>
                  Contract with{' '}
                  {hub.role === 'client'
                    ? (hub.proposals.find((p) => p.freelancerId === c.freelancerId)?.freelancerName ?? 'freelancer')
                    : 'the client'}
                </a>{' '}
                <StateBadge state={c.state} />
              </li>
            ))}
          </ul>
        </div>
      )}
      <nav class="tabs" aria-label="Workroom sections">
        {tabs.map((t) => (
          <a key={t.key} href={`/workrooms/${hub.id}/${t.key}`} aria-current={tab === t.key ? 'page' : undefined}>
            {t.key === 'proposals' && hub.role === 'client'
              ? `Proposals (${hub.proposalCount})`
              : t.key === 'proposals'
                ? 'My proposal'
                : t.label}
          </a>
        ))}
      </nav>
      {tab === 'proposals' && <ProposalsTab hub={hub} onChange={reload} />}
      {tab === 'messages' && <MessagesTab hub={hub} userId={userId} threadId={query.thread ?? null} />}
      {tab === 'files' && <FilesTab hub={hub} userId={userId} />}
      {tab === 'activity' && <ActivityTab hub={hub} />}
    </>
  )
}
