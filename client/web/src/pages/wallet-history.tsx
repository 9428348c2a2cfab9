import { useState } from 'preact/hooks'
import { api, ok } from '../lib/api.js'
import { formatDateTime, formatMoney } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { errorText } from '../ui/forms.js'
import { Async, Empty } from '../ui/states.js'
import type { Wallet } from './wallet-balances.js'

type HistoryPage = Awaited<ReturnType<typeof loadPage>>
type Line = HistoryPage['items'][number]

const accountLabels: Record<Line['account'], string> = {
  wallet: 'Wallet',
  earnings: 'Earnings',
  withdrawal_pending: 'Withdrawal in progress',
  hold: 'Escrow',
}

const PAGE = 20

function loadPage(cursor?: string) {
  return ok(api.GET('/api/v1/wallet/history', { params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } } }))
}

/** A signed amount in major units with its currency: "+$27.00", "−$300.00". */
function signed(amount: number, currency: string): string {
  const text = formatMoney(Math.abs(amount), currency)
  return amount < 0 ? `−${text}` : `+${text}`
}

/**
 * The caller's transaction history, newest first: the first page loads with the page (and again
 * whenever `version` changes, e.g. after a release arrives on the event stream); "Show older"
 * appends the next page. The CSV holds every line.
 */
export function WalletHistory({ version, wallet }: { version: number; wallet: Wallet | undefined }) {
  const first = useLoad(() => loadPage(), [version])
  const [older, setOlder] = useState<{ items: Line[]; cursor: string | null; of: HistoryPage } | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const shownOlder = older && older.of === first.data ? older : null
  const nextCursor = shownOlder ? shownOlder.cursor : (first.data?.nextCursor ?? null)
  const more = async () => {
    if (!nextCursor || !first.data) return
    setBusy(true)
    setError(null)
    try {
      const page = await loadPage(nextCursor)
      setOlder({ items: [...(shownOlder?.items ?? []), ...page.items], cursor: page.nextCursor, of: first.data })
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <section aria-labelledby="history-title" data-testid="history">
      <div class="actions">
        <h2 id="history-title">Transaction history</h2>
        {wallet && wallet.balances.length > 0 && (
          <a class="button button--small" href="/api/v1/wallet/history.csv" download="workroom-history.csv">
            Download CSV
          </a>
        )}
      </div>
      <Async state={first} label="Loading history…">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No money has moved yet.</Empty>
          ) : (
            <div class="table-scroll">
              <table class="table">
                <caption class="visually-hidden">Every move of your money, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">What</th>
                    <th scope="col">Balance</th>
                    <th scope="col" class="history-amount">
                      Amount
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {[...page.items, ...(shownOlder?.items ?? [])].map((line) => (
                    <tr key={line.id}>
                      <td>{formatDateTime(line.at)}</td>
                      <td>
                        {line.contractId ? (
                          <a href={`/contracts/${line.contractId}`}>{line.description}</a>
                        ) : (
                          line.description
                        )}
                      </td>
                      <td>{accountLabels[line.account]}</td>
                      <td class="history-amount">{signed(line.amount, line.currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Async>
      {error !== null && (
        <p class="form-error" role="alert">
          {errorText(error)}
        </p>
      )}
      {nextCursor && (
        <button type="button" class="button" disabled={busy} onClick={() => void more()}>
          Show older
        </button>
      )}
    </section>
  )
}
