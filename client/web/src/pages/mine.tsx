import { api, ok } from '../lib/api.js'
import { formatDateTime, formatMoney } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { useRequireUser } from '../lib/session.js'
import { JobCard } from '../ui/job-card.js'
import { Async, Empty, Loading, StateBadge } from '../ui/states.js'
import { usePageTitle } from '../lib/title.js'

/** Everything of mine: jobs I posted, proposals I sent, contracts on both sides. */
export function MyWork() {
  const user = useRequireUser()
  usePageTitle('My work')
  const contracts = useLoad(() => ok(api.GET('/api/v1/me/contracts', { params: { query: { limit: 50 } } })), [])
  const proposals = useLoad(() => ok(api.GET('/api/v1/me/proposals', { params: { query: { limit: 50 } } })), [])
  const jobs = useLoad(() => ok(api.GET('/api/v1/me/jobs', { params: { query: { limit: 50 } } })), [])
  if (!user) return <Loading />
  return (
    <section class="page">
      <h1>My work</h1>
      <section aria-labelledby="contracts-h">
        <h2 id="contracts-h">Contracts</h2>
        <Async state={contracts}>
          {(list) =>
            list.items.length === 0 ? (
              <Empty>No contracts yet. They appear here when a client hires you or you hire someone.</Empty>
            ) : (
              <table class="table" data-testid="my-contracts">
                <thead>
                  <tr>
                    <th scope="col">Contract</th>
                    <th scope="col">You are</th>
                    <th scope="col">Terms</th>
                    <th scope="col">State</th>
                  </tr>
                </thead>
                <tbody>
                  {list.items.map((c) => (
                    <tr key={c.id}>
                      <td>
                        <a href={`/contracts/${c.id}`}>{c.jobTitle}</a>
                      </td>
                      <td>{c.clientId === user.id ? 'Client' : 'Freelancer'}</td>
                      <td>
                        {c.arrangement === 'fixed'
                          ? formatMoney(c.price ?? c.initialTerms.price, c.currency)
                          : `${formatMoney(c.hourlyRate ?? c.initialTerms.hourlyRate, c.currency)} / h`}
                      </td>
                      <td>
                        <StateBadge state={c.state} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Async>
      </section>
      <section aria-labelledby="proposals-h">
        <h2 id="proposals-h">My proposals</h2>
        <Async state={proposals}>
          {(list) =>
            list.items.length === 0 ? (
              <Empty>
                You have not proposed on any job. <a href="/jobs">Find work</a>
              </Empty>
            ) : (
              <table class="table" data-testid="my-proposals">
                <thead>
                  <tr>
                    <th scope="col">Job</th>
                    <th scope="col">Bid</th>
                    <th scope="col">Sent</th>
                    <th scope="col">State</th>
                  </tr>
                </thead>
                <tbody>
                  {list.items.map((p) => (
                    <tr key={p.id}>
                      <td>
                        <a href={`/jobs/${p.jobId}`}>{p.jobTitle}</a>
                      </td>
                      <td>
                        {p.bidAmount !== null
                          ? formatMoney(p.bidAmount, p.currency)
                          : `${formatMoney(p.hourlyRate, p.currency)} / h`}
                      </td>
                      <td>{formatDateTime(p.createdAt)}</td>
                      <td>
                        <StateBadge state={p.state} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Async>
      </section>
      <section aria-labelledby="jobs-h">
        <h2 id="jobs-h">Jobs I posted</h2>
        <Async state={jobs}>
          {(list) =>
            list.items.length === 0 ? (
              <Empty>
                You have not posted a job. <a href="/jobs/new">Post one</a>
              </Empty>
            ) : (
              <div class="list">
                {list.items.map((job) => (
                  <JobCard key={job.id} job={job} showState />
                ))}
              </div>
            )
          }
        </Async>
      </section>
    </section>
  )
}
