import { useState } from 'preact/hooks'
import { api, ok } from '../lib/api.js'
import { formatDateTime, formatMoney } from '../lib/format.js'
import { useIdempotentSend } from '../lib/idempotency.js'
import { useLoad, type Loaded } from '../lib/load.js'
import { useRequireUser } from '../lib/session.js'
import {
  errorFor,
  errorText,
  FormError,
  MoneyField,
  moneyValue,
  SubmitButton,
  TextField,
  useSubmit,
} from '../ui/forms.js'
import {
  amountColumn,
  MoneyRequestTable,
  requestedColumn,
  type MoneyRequest,
  type MoneyRequestColumn,
} from '../ui/money-requests.js'
import { useConfirm } from '../ui/confirm.js'
import { useNotify } from '../ui/notices.js'
import { Async, Badge, Empty, Loading, StateBadge } from '../ui/states.js'
import { usePageTitle } from '../lib/title.js'

/** The operator console: confirm deposits and withdrawals, decide escalated disputes, check the ledger. */
export function OperatorPage() {
  const user = useRequireUser()
  usePageTitle('Operator console')
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
        <a href="/operator/settings">Settings</a>: deadlines, fees and defaults, and who changed them.{' '}
        <a href="/operator/users">Accounts</a>: find anyone, and who is an operator.
      </p>
      <LedgerCheck />
      <Deposits />
      <Withdrawals />
      <Disputes />
    </section>
  )
}

/** Who asked for a deposit or withdrawal: their name (to their profile) and email. */
const accountColumn: MoneyRequestColumn<{ user: { id: string; name: string; email: string } }> = {
  title: 'Account',
  cell: ({ user }) => (
    <>
      <a href={`/users/${user.id}`}>{user.name}</a>
      <br />
      <span class="muted">{user.email}</span>
    </>
  ),
}

/** A verification figure: money when it is a JSON number, the exact decimal string otherwise (a broken ledger). */
const figure = (value: number | string, currency: string) =>
  typeof value === 'number' ? formatMoney(value, currency) : `${value} (minor units)`

function LedgerCheck() {
  const [result, setResult] = useState<{
    ok: boolean
    currencies: Array<{ currency: string; balanceSum: number | string; inside: number | string; transfers: number }>
    outOfBounds: unknown[]
    mismatched: unknown[]
    unbalancedTransfers: unknown[]
    holdsOnEndedContracts: number
  } | null>(null)
  const { busy, error, run } = useSubmit()
  return (
    <div class="actions">
      <button
        type="button"
        class="button"
        disabled={busy}
        onClick={() => void run(async () => setResult(await ok(api.GET('/api/v1/ledger/verify'))))}
      >
        Verify the ledger
      </button>
      {result && (
        <span role="status">
          {result.ok ? <Badge tone="ok">Balanced</Badge> : <Badge tone="bad">Problems found</Badge>}{' '}
          {result.currencies
            .map(
              (c) =>
                `${c.currency}: sum ${figure(c.balanceSum, c.currency)}, ${figure(c.inside, c.currency)} inside, ${c.transfers} transfers`,
            )
            .join(' · ')}
          {!result.ok &&
            ` · ${result.outOfBounds.length} accounts below zero, ${result.mismatched.length} balances not matching their entries, ${result.unbalancedTransfers.length} unbalanced transfers, ${result.holdsOnEndedContracts} holds left on ended contracts`}
        </span>
      )}
      <FormError error={error} />
    </div>
  )
}

function Deposits() {
  const send = useIdempotentSend()
  const list = useLoad(
    () => ok(api.GET('/api/v1/admin/deposits', { params: { query: { state: 'pending', limit: 100 } } })),
    [],
  )
  return (
    <PendingRequests
      id="op-deposits"
      title="Pending deposits"
      empty="No deposits waiting."
      testId="pending-deposits"
      list={list}
      columns={[
        requestedColumn,
        accountColumn,
        amountColumn,
        {
          title: 'Reference',
          class: 'muted',
          cell: (d) => d.providerRef ?? String((d.instructions as Record<string, unknown>).reference ?? '—'),
        },
      ]}
      actions={[
        {
          action: 'confirm',
          primary: true,
          label: (d) => `Confirm ${formatMoney(d.amount, d.currency)}`,
          ask: (d) => ({
            title: `Confirm the deposit of ${formatMoney(d.amount, d.currency)}?`,
            message: `Confirm that ${formatMoney(d.amount, d.currency)} arrived? It goes into the account's wallet at once, ready to fund milestones. This cannot be undone.`,
          }),
        },
        {
          action: 'cancel',
          label: () => 'Cancel',
          ask: (d) => ({
            title: `Cancel the deposit of ${formatMoney(d.amount, d.currency)}?`,
            message: `Cancel this deposit of ${formatMoney(d.amount, d.currency)}? Use this when the money never arrived; nothing reaches the wallet.`,
          }),
        },
      ]}
      decide={async (id, action) => {
        const d = await send({ id, action }, (header) =>
          ok(api.POST(`/api/v1/admin/deposits/{id}/${action}`, { params: { path: { id }, header } })),
        )
        return `Deposit of ${formatMoney(d.amount, d.currency)} ${action === 'confirm' ? 'confirmed' : 'cancelled'}`
      }}
    />
  )
}

function Withdrawals() {
  const send = useIdempotentSend()
  const list = useLoad(
    () => ok(api.GET('/api/v1/admin/withdrawals', { params: { query: { state: 'pending', limit: 100 } } })),
    [],
  )
  return (
    <PendingRequests
      id="op-withdrawals"
      title="Pending withdrawals"
      empty="No withdrawals waiting."
      list={list}
      columns={[requestedColumn, accountColumn, amountColumn, { title: 'To', cell: (w) => w.destination ?? '—' }]}
      actions={[
        {
          action: 'confirm',
          primary: true,
          label: () => 'Mark paid',
          ask: (w) => ({
            title: `Mark ${formatMoney(w.amount, w.currency)} as paid out?`,
            message: `Mark the withdrawal of ${formatMoney(w.amount, w.currency)} to ${w.destination ?? 'the payout account'} as paid? The reserved money leaves Workroom. This cannot be undone.`,
          }),
        },
        {
          action: 'reject',
          label: () => 'Reject',
          ask: (w) => ({
            title: `Reject the withdrawal of ${formatMoney(w.amount, w.currency)}?`,
            message: `Reject this withdrawal? ${formatMoney(w.amount, w.currency)} returns to the freelancer's earnings.`,
          }),
        },
      ]}
      decide={async (id, action) => {
        const w = await send({ id, action }, (header) =>
          ok(api.POST(`/api/v1/admin/withdrawals/{id}/${action}`, { params: { path: { id }, header } })),
        )
        return `Withdrawal of ${formatMoney(w.amount, w.currency)} ${action === 'confirm' ? 'marked paid' : 'rejected'}`
      }}
    />
  )
}

/** Deposits or withdrawals waiting for an operator, each with its two decisions. */
function PendingRequests<Page extends { items: MoneyRequest[] }, Action extends string>(props: {
  id: string
  title: string
  empty: string
  testId?: string
  list: Loaded<Page>
  columns: Array<MoneyRequestColumn<Page['items'][number]>>
  actions: Array<{
    action: Action
    label(request: Page['items'][number]): string
    primary?: boolean
    /** The confirmation that states the amount and what happens. */
    ask(request: Page['items'][number]): { title: string; message: string }
  }>
  /** Sends the decision; resolves to the notice to show. */
  decide(id: string, action: Action): Promise<string>
}) {
  const { id, title, empty, testId, list, columns, actions, decide } = props
  const notify = useNotify()
  const confirm = useConfirm()
  const [error, setError] = useState<unknown>(null)
  const run = async (requestId: string, action: Action) => {
    setError(null)
    try {
      notify(await decide(requestId, action))
      void list.reload()
    } catch (err) {
      setError(err)
    }
  }
  const actionsColumn: MoneyRequestColumn<Page['items'][number]> = {
    title: <span class="visually-hidden">Actions</span>,
    cell: (request) => (
      <div class="actions">
        {actions.map((a) => (
          <button
            key={a.action}
            type="button"
            class={`button button--small${a.primary ? ' button--primary' : ''}`}
            onClick={() => confirm.ask({ ...a.ask(request), onConfirm: () => void run(request.id, a.action) })}
          >
            {a.label(request)}
          </button>
        ))}
      </div>
    ),
  }
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {error !== null && (
        <p class="form-error" role="alert">
          {errorText(error)}
        </p>
      )}
      <MoneyRequestTable list={list} empty={empty} testId={testId} columns={[...columns, actionsColumn]} />
      {confirm.dialog}
    </section>
  )
}

function Disputes() {
  const list = useLoad(
    () => ok(api.GET('/api/v1/admin/disputes', { params: { query: { state: 'escalated', limit: 100 } } })),
    [],
  )
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
                    <StateBadge state={d.state} /> Opened by the {d.openerRole} {formatDateTime(d.createdAt)} · held{' '}
                    {formatMoney(d.heldAmount, d.currency)}
                  </p>
                  <p>{d.reason}</p>
                  {d.messages?.map((m) => (
                    <p key={m.id} class="muted">
                      {m.kind}: {m.message}
                    </p>
                  ))}
                  <Decide
                    disputeId={d.id}
                    held={d.heldAmount}
                    currency={d.currency}
                    onDone={() => void list.reload()}
                  />
                </li>
              ))}
            </ul>
          )
        }
      </Async>
    </section>
  )
}

/** The operator's split of what is held, typed and shown in the contract's currency (¥ has no cents). */
function Decide(props: { disputeId: string; held: number; currency: string; onDone(): void }) {
  const { disputeId, held, currency, onDone } = props
  const notify = useNotify()
  const [amount, setAmount] = useState('')
  const [note, setNote] = useState('')
  const { busy, error, run } = useSubmit()
  const send = useIdempotentSend()
  const confirm = useConfirm()
  const decide = (body: { freelancerAmount: number; note: string }) =>
    run(async () => {
      await send({ disputeId, body }, (header) =>
        ok(api.POST('/api/v1/admin/disputes/{id}/decide', { params: { path: { id: disputeId }, header }, body })),
      )
      notify('Dispute decided; the money moved')
      onDone()
    })
  return (
    <form
      class="stack"
      onSubmit={(e) => {
        e.preventDefault()
        const body = { freelancerAmount: moneyValue(amount, currency) ?? -1, note }
        // An amount that is not one goes straight to the server, which names the field.
        if (body.freelancerAmount < 0 || body.freelancerAmount > held) return void decide(body)
        const toFreelancer = formatMoney(body.freelancerAmount, currency)
        const toClient = formatMoney(held - body.freelancerAmount, currency)
        confirm.ask({
          title: `Decide: ${toFreelancer} to the freelancer?`,
          message: `The freelancer gets ${toFreelancer} and ${toClient} returns to the client. The money moves at once and the dispute is closed; this cannot be undone.`,
          onConfirm: () => void decide(body),
        })
      }}
    >
      <MoneyField
        id={`decide-${disputeId}`}
        label="The freelancer gets"
        currency={currency}
        value={amount}
        onValue={setAmount}
        hint={`Of ${formatMoney(held, currency)} held; the rest returns to the client.`}
        error={errorFor(error, 'freelancerAmount')}
      />
      <TextField
        id={`decide-note-${disputeId}`}
        label="Decision note"
        value={note}
        onValue={setNote}
        error={errorFor(error, 'note')}
      />
      <FormError error={error} fields={['freelancerAmount', 'note']} />
      <SubmitButton busy={busy}>Decide</SubmitButton>
      {confirm.dialog}
    </form>
  )
}
