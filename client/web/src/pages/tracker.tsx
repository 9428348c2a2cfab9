import { useRoute } from 'preact-iso'
import { useRequireUser } from '../lib/session.js'
import { Loading } from '../ui/states.js'

/**
 * The tracker (start/stop, memo, Work View capture with getDisplayMedia, offline queue) is
 * not built yet; until then time can be uploaded through the API (`PUT .../segments`).
 */
export function TrackerPage() {
  const user = useRequireUser()
  const { params } = useRoute()
  if (!user) return <Loading />
  return (
    <section class="page narrow">
      <h1>Tracker</h1>
      <p>The in-browser tracker is not available yet. Trackers and scripts can upload time with the API; it shows up in <a href={`/contracts/${params.id}/workview`}>Work View</a> and the <a href={`/contracts/${params.id}/timesheets`}>timesheets</a>.</p>
    </section>
  )
}
