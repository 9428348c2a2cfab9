import { useState } from 'preact/hooks'
import { api, ok } from '../lib/api.js'
import { useEvents } from '../lib/events.js'
import { formatDateTime } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { useRequireUser } from '../lib/session.js'
import { errorFor, TextField } from '../ui/forms.js'
import {
  amountColumn,
  MoneyRequestForm,
  MoneyRequestTable,
  requestedColumn,
  stateColumn,
} from '../ui/money-requests.js'
import { Async, Empty, Loading } from '../ui/states.js'
import { usePageTitle } from '../lib/title.js'
import { loadWallet, WalletBalances } from './wallet-balances.js'
import { WalletHistory } from './wallet-history.js'

/** Balances per currency (the headline each role needs), deposit and withdrawal requests, the transaction history. */
export function WalletPage() {
  const user = useRequireUser()
  usePageTitle('Wallet')
  const wallet = useLoad(loadWallet, [])
  const [historyVersion, setHistoryVersion] = useState(0)
  const deposits = useLoad(() => ok(api.GET('/api/v1/wallet/deposits', { params: { query: { limit: 20 } } })), [])
  const withdrawals = useLoad(() => ok(api.GET('/api/v1/wallet/withdrawals', { params: { query: { limit: 20 } } })), [])
  const reload = () => {
    void wallet.reload()
    void deposits.reload()
    void withdrawals.reload()
    setHistoryVersion((v) => v + 1)
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
            <WalletBalances wallet={w} offersWork={user.skills.length > 0 || user.hourlyRate !== null} />
          )
        }
      </Async>
      <div class="two-col">
        <DepositForm onDone={reload} />
        <WithdrawForm onDone={reload} />
      </div>
      <h2>Deposits</h2>
      <MoneyRequestTable
        list={deposits}
        empty="No deposits."
        testId="deposits"
        columns={[
          requestedColumn,
          amountColumn,
          stateColumn,
          {
            title: 'How to pay',
            class: 'muted',
            cell: (d) =>
              d.state === 'pending'
                ? Object.entries(d.instructions)
                    .map(([k, v]) => `${k}: ${String(v)}`)
                    .join(' · ') || 'An operator confirms it when the money arrives.'
                : formatDateTime(d.decidedAt),
          },
        ]}
      />
      <h2>Withdrawals</h2>
      <MoneyRequestTable
        list={withdrawals}
        empty="No withdrawals."
        columns={[requestedColumn, amountColumn, stateColumn, { title: 'To', cell: (w) => w.destination ?? '—' }]}
      />
      <WalletHistory version={historyVersion} wallet={wallet.data} />
    </section>
  )
}

function DepositForm({ onDone }: { onDone(): void }) {
  return (
    <MoneyRequestForm
      title="Deposit"
      idPrefix="deposit"
      submitLabel="Request deposit"
      noun="Deposit"
      send={(body, idempotent) =>
        idempotent(body, (header) => ok(api.POST('/api/v1/wallet/deposits', { params: { header }, body })))
      }
      onDone={onDone}
    />
  )
}

function WithdrawForm({ onDone }: { onDone(): void }) {
  const [destination, setDestination] = useState('')
  return (
    <MoneyRequestForm
      title="Withdraw earnings"
      idPrefix="withdraw"
      submitLabel="Request withdrawal"
      noun="Withdrawal"
      codeFields={{ 'ledger.insufficient_funds': 'amount' }}
      extraFields={['destination']}
      extra={(error) => (
        <TextField
          id="withdraw-destination"
          label="Pay to (bank account, IBAN…)"
          value={destination}
          onValue={setDestination}
          error={errorFor(error, 'destination')}
        />
      )}
      confirm={(amount) => ({
        title: `Withdraw ${amount}?`,
        message: `Withdraw ${amount} to ${destination.trim() || 'your payout account'}? It is reserved from your balance at once and paid out when an operator confirms.`,
      })}
      send={(input, idempotent) => {
        const body = { ...input, ...(destination.trim() ? { destination: destination.trim() } : {}) }
        return idempotent(body, (header) => ok(api.POST('/api/v1/wallet/withdrawals', { params: { header }, body })))
      }}
      onDone={onDone}
    />
  )
}
