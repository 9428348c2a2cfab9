import { useEffect, useState } from 'preact/hooks'
import { api, idempotencyKey, ok } from '../lib/api.js'
import { formatDateTime, formatMoney } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { useRequireUser } from '../lib/session.js'
import { errorFor, errorText, FormError, MoneyField, moneyValue, SubmitButton, TextField, useSubmit } from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'
import { Async, Badge, Empty, Loading, StateBadge } from '../ui/states.js'

/** The operator console: confirm deposits and withdrawals, decide escalated disputes, check the ledger. */
export function OperatorPage() {
  const user = useRequireUser()
  useEffect(() => {
    document.title = 'Operator · Workroom'
  }, [])
  if (!user) return <Loading />
  if (user.role !== 'operator')
    return (
      <section class="page narrow">
        <h1>Operator console</h1>
        <p>Only operators can open this page.</p>
      </section>
    )
  return (
    <section class="page">
      <h1>Operator console</h1>
      <p>
        <a href="/operator/settings">Settings</a>: deadlines, fees and defaults, and who changed them.
      </p>
      <LedgerCheck />
      <Deposits />
      <Withdrawals />
      <Disputes />
    </section>
  )
}

function LedgerCheck() {
  const [result, setResult] = useState<{ ok: boolean; currencies: Array<{ currency: string; balanceSum: number | string }> } | null>(null)
  const { busy, error, run } = useSubmit()
  return (
    <div class="actions">
      <button type="button" class="button" disabled={busy} onClick={() => void run(async () => setResult(await ok(api.GET('/api/v1/ledger/verify'))))}>
        Verify the ledger
      </button>
      {result && (
        <span role="status">
          {result.ok ? <Badge tone="ok">Balanced</Badge> : <Badge tone="bad">Problems found</Badge>} {result.currencies.map((c) => `${c.currency} sum ${c.balanceSum}`).join(' · ')}
        </span>
      )}
      <FormError error={error} />
    </div>
  )
}

function Deposits() {
  const notify = useNotify()
  const list = useLoad(() => ok(api.GET('/api/v1/admin/deposits', { params: { query: { state: 'pending', limit: 100 } } })), [])
  const [error, setError] = useState<unknown>(null)
  const decide = async (id: string, action: 'confirm' | 'cancel') => {
    setError(null)
    try {
      const d = await ok(api.POST(`/api/v1/admin/deposits/{id}/${action}`, { params: { path: { id }, header: { 'idempotency-key': idempotencyKey() } } }))
      notify(`Deposit of ${formatMoney(d.amount, d.currency)} ${action === 'confirm' ? 'confirmed' : 'cancelled'}`)
      void list.reload()
    } catch (err) {
      setError(err)
    }
  }
  return (
    <section aria-labelledby="op-deposits">
      <h2 id="op-deposits">Pending deposits</h2>
      {error !== null && <p class="form-error" role="alert">{errorText(error)}</p>}
      <Async state={list}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No deposits waiting.</Empty>
          ) : (
            <table class="table" data-testid="pending-deposits">
              <thead>
                <tr>
                  <th scope="col">Requested</th>
                  <th scope="col">Account</th>
                  <th scope="col" class="num">
                    Amount
                  </th>
                  <th scope="col">Reference</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((d) => (
                  <tr key={d.id}>
                    <td>{formatDateTime(d.createdAt)}</td>
                    <td>
                      <a href={`/users/${d.userId}`}>{d.userId.slice(0, 8)}</a>
                    </td>
                    <td class="num">{formatMoney(d.amount, d.currency)}</td>
                    <td class="muted">{d.providerRef ?? String((d.instructions as Record<string, unknown>).reference ?? '—')}</td>
                    <td>
                      <div class="actions">
                        <button type="button" class="button button--small button--primary" onClick={() => void decide(d.id, 'confirm')}>
                          Confirm {formatMoney(d.amount, d.currency)}
                        </button>
                        <button type="button" class="button button--small" onClick={() => void decide(d.id, 'cancel')}>
                          Cancel
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
    </section>
  )
}

function Withdrawals() {
  const notify = useNotify()
  const list = useLoad(() => ok(api.GET('/api/v1/admin/withdrawals', { params: { query: { state: 'pending', limit: 100 } } })), [])
  const [error, setError] = useState<unknown>(null)
  const decide = async (id: string, action: 'confirm' | 'reject') => {
    setError(null)
    try {
      const w = await ok(api.POST(`/api/v1/admin/withdrawals/{id}/${action}`, { params: { path: { id }, header: { 'idempotency-key': idempotencyKey() } } }))
      notify(`Withdrawal of ${formatMoney(w.amount, w.currency)} ${action === 'confirm' ? 'marked paid' : 'rejected'}`)
      void list.reload()
    } catch (err) {
      setError(err)
    }
  }
  return (
    <section aria-labelledby="op-withdrawals">
      <h2 id="op-withdrawals">Pending withdrawals</h2>
      {error !== null && <p class="form-error" role="alert">{errorText(error)}</p>}
      <Async state={list}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No withdrawals waiting.</Empty>
          ) : (
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Requested</th>
                  <th scope="col" class="num">
                    Amount
                  </th>
                  <th scope="col">To</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((w) => (
                  <tr key={w.id}>
                    <td>{formatDateTime(w.createdAt)}</td>
                    <td class="num">{formatMoney(w.amount, w.currency)}</td>
                    <td>{w.destination ?? '—'}</td>
                    <td>
                      <div class="actions">
                        <button type="button" class="button button--small button--primary" onClick={() => void decide(w.id, 'confirm')}>
                          Mark paid
                        </button>
                        <button type="button" class="button button--small" onClick={() => void decide(w.id, 'reject')}>
                          Reject
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
    </section>
  )
}

function Disputes() {
  const list = useLoad(() => ok(api.GET('/api/v1/admin/disputes', { params: { query: { state: 'escalated', limit: 100 } } })), [])
  return (
    <section aria-labelledby="op-disputes">
      <h2 id="op-disputes">Escalated disputes</h2>
      <Async state={list}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No disputes waiting for a decision.</Empty>
          ) : (
            <ul class="plain list">
              {page.items.map((d) => (
                <li key={d.id} class="card">
                  <p>
                    <StateBadge state={d.state} /> Opened by the {d.openerRole} {formatDateTime(d.createdAt)} · held {formatMoney(d.heldAmount, 'USD')}
                  </p>
                  <p>{d.reason}</p>
                  {d.messages?.map((m) => (
                    <p key={m.id} class="muted">
                      {m.kind}: {m.message}
                    </p>
                  ))}
                  <Decide disputeId={d.id} held={d.heldAmount} onDone={() => void list.reload()} />
                </li>
              ))}
            </ul>
          )
        }
      </Async>
    </section>
  )
}

function Decide({ disputeId, held, onDone }: { disputeId: string; held: number; onDone(): void }) {
  const notify = useNotify()
  const [amount, setAmount] = useState('')
  const [note, setNote] = useState('')
  const { busy, error, run } = useSubmit()
  return (
    <form
      class="stack"
      onSubmit={(e) => {
        e.preventDefault()
        void run(async () => {
          await ok(
            api.POST('/api/v1/admin/disputes/{id}/decide', {
              params: { path: { id: disputeId }, header: { 'idempotency-key': idempotencyKey() } },
              body: { freelancerAmount: moneyValue(amount, 'USD') ?? -1, note },
            }),
          )
          notify('Dispute decided; the money moved')
          onDone()
        })
      }}
    >
      <MoneyField id={`decide-${disputeId}`} label="The freelancer gets" currency="USD" value={amount} onValue={setAmount} hint={`Of ${formatMoney(held, 'USD')} held; the rest returns to the client.`} error={errorFor(error, 'freelancerAmount')} />
      <TextField id={`decide-note-${disputeId}`} label="Decision note" value={note} onValue={setNote} error={errorFor(error, 'note')} />
      <FormError error={error} fields={['freelancerAmount', 'note']} />
      <SubmitButton busy={busy}>Decide</SubmitButton>
    </form>
  )
}
