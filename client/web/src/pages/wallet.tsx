import { useEffect, useState } from 'preact/hooks'
import { api, idempotencyKey, ok } from '../lib/api.js'
import { useEvents } from '../lib/events.js'
import { formatDateTime, formatMoney } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { useRequireUser } from '../lib/session.js'
import { errorFor, FormError, MoneyField, moneyValue, SelectField, SubmitButton, TextField, useSubmit } from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'
import { Async, Empty, Loading, StateBadge } from '../ui/states.js'

const currencies = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY', 'INR'] as const
type Currency = (typeof currencies)[number]

/** Balances per currency, deposit and withdrawal requests. */
export function WalletPage() {
  const user = useRequireUser()
  useEffect(() => {
    document.title = 'Wallet · Workroom'
  }, [])
  const wallet = useLoad(() => ok(api.GET('/api/v1/wallet')), [])
  const deposits = useLoad(() => ok(api.GET('/api/v1/wallet/deposits', { params: { query: { limit: 20 } } })), [])
  const withdrawals = useLoad(() => ok(api.GET('/api/v1/wallet/withdrawals', { params: { query: { limit: 20 } } })), [])
  const reload = () => {
    void wallet.reload()
    void deposits.reload()
    void withdrawals.reload()
  }
  useEvents((frame) => {
    if (/^(contract\.money|wallet\.|deposit\.|withdrawal\.)/.test(frame.type)) reload()
  }, reload)
  if (!user) return <Loading />
  return (
    <section class="page">
      <h1>Wallet</h1>
      <Async state={wallet} label="Loading balances…">
        {(w) =>
          w.balances.length === 0 ? (
            <Empty>No money yet. Deposit to fund milestones; earnings land here when clients release them.</Empty>
          ) : (
            <div class="balances" data-testid="balances">
              {w.balances.map((b) => (
                <div class="balance" key={b.currency}>
                  <span class="muted">{b.currency} available</span>
                  <strong>{formatMoney(b.available, b.currency)}</strong>
                  <span class="muted">
                    in escrow {formatMoney(b.inEscrow, b.currency)} · earnings {formatMoney(b.earnings, b.currency)}
                    {b.pendingWithdrawal > 0 && ` · withdrawing ${formatMoney(b.pendingWithdrawal, b.currency)}`}
                  </span>
                </div>
              ))}
            </div>
          )
        }
      </Async>
      <div class="two-col">
        <DepositForm onDone={reload} />
        <WithdrawForm onDone={reload} />
      </div>
      <h2>Deposits</h2>
      <Async state={deposits}>
        {(list) =>
          list.items.length === 0 ? (
            <Empty>No deposits.</Empty>
          ) : (
            <table class="table" data-testid="deposits">
              <thead>
                <tr>
                  <th scope="col">Requested</th>
                  <th scope="col" class="num">
                    Amount
                  </th>
                  <th scope="col">State</th>
                  <th scope="col">How to pay</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((d) => (
                  <tr key={d.id}>
                    <td>{formatDateTime(d.createdAt)}</td>
                    <td class="num">{formatMoney(d.amount, d.currency)}</td>
                    <td>
                      <StateBadge state={d.state} />
                    </td>
                    <td class="muted">{d.state === 'pending' ? Object.entries(d.instructions).map(([k, v]) => `${k}: ${String(v)}`).join(' · ') || 'An operator confirms it when the money arrives.' : formatDateTime(d.decidedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
      <h2>Withdrawals</h2>
      <Async state={withdrawals}>
        {(list) =>
          list.items.length === 0 ? (
            <Empty>No withdrawals.</Empty>
          ) : (
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Requested</th>
                  <th scope="col" class="num">
                    Amount
                  </th>
                  <th scope="col">State</th>
                  <th scope="col">To</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((w) => (
                  <tr key={w.id}>
                    <td>{formatDateTime(w.createdAt)}</td>
                    <td class="num">{formatMoney(w.amount, w.currency)}</td>
                    <td>
                      <StateBadge state={w.state} />
                    </td>
                    <td>{w.destination ?? '—'}</td>
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

function DepositForm({ onDone }: { onDone(): void }) {
  const notify = useNotify()
  const [currency, setCurrency] = useState<Currency>('USD')
  const [amount, setAmount] = useState('')
  const [key, setKey] = useState(idempotencyKey)
  const { busy, error, run } = useSubmit()
  return (
    <form
      class="card stack"
      onSubmit={(e) => {
        e.preventDefault()
        void run(async () => {
          const value = moneyValue(amount, currency)
          await ok(api.POST('/api/v1/wallet/deposits', { params: { header: { 'idempotency-key': key } }, body: { amount: value ?? 0, currency } }))
          notify(`Deposit of ${formatMoney(value ?? 0, currency)} requested`)
          setAmount('')
          setKey(idempotencyKey())
          onDone()
        })
      }}
    >
      <h2>Deposit</h2>
      <div class="row">
        <SelectField id="deposit-currency" label="Currency" value={currency} onValue={setCurrency} options={currencies.map((c) => ({ value: c, label: c }))} />
        <MoneyField id="deposit-amount" label="Amount" currency={currency} value={amount} onValue={setAmount} required error={errorFor(error, 'amount')} />
      </div>
      <FormError error={error} fields={['amount', 'currency']} />
      <SubmitButton busy={busy}>Request deposit</SubmitButton>
    </form>
  )
}

function WithdrawForm({ onDone }: { onDone(): void }) {
  const notify = useNotify()
  const [currency, setCurrency] = useState<Currency>('USD')
  const [amount, setAmount] = useState('')
  const [destination, setDestination] = useState('')
  const [key, setKey] = useState(idempotencyKey)
  const { busy, error, run } = useSubmit()
  return (
    <form
      class="card stack"
      onSubmit={(e) => {
        e.preventDefault()
        void run(async () => {
          const value = moneyValue(amount, currency)
          await ok(
            api.POST('/api/v1/wallet/withdrawals', {
              params: { header: { 'idempotency-key': key } },
              body: { amount: value ?? 0, currency, ...(destination.trim() ? { destination: destination.trim() } : {}) },
            }),
          )
          notify(`Withdrawal of ${formatMoney(value ?? 0, currency)} requested`)
          setAmount('')
          setKey(idempotencyKey())
          onDone()
        })
      }}
    >
      <h2>Withdraw earnings</h2>
      <div class="row">
        <SelectField id="withdraw-currency" label="Currency" value={currency} onValue={setCurrency} options={currencies.map((c) => ({ value: c, label: c }))} />
        <MoneyField id="withdraw-amount" label="Amount" currency={currency} value={amount} onValue={setAmount} required error={errorFor(error, 'amount', { 'ledger.insufficient_funds': 'amount' })} />
      </div>
      <TextField id="withdraw-destination" label="Pay to (bank account, IBAN…)" value={destination} onValue={setDestination} error={errorFor(error, 'destination')} />
      <FormError error={error} fields={['amount', 'currency', 'destination']} codeFields={{ 'ledger.insufficient_funds': 'amount' }} />
      <SubmitButton busy={busy}>Request withdrawal</SubmitButton>
    </form>
  )
}
