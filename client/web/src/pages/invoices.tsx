import { useLocation } from 'preact-iso'
import { useState } from 'preact/hooks'
import { CURRENCIES } from '../../../../common/money.js'
import type { paths } from '../../../sdk/openapi.js'
import type { InvoiceList, InvoiceListItem, User } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { useEvents } from '../lib/events.js'
import { dayStart, formatDate, formatMoney } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { useRequireUser } from '../lib/session.js'
import { Empty, ErrorState, Loading, StateBadge } from '../ui/states.js'
import { usePageTitle } from '../lib/title.js'

type Query = NonNullable<paths['/api/v1/invoices']['get']['parameters']['query']>
type Filters = { role: string; state: string; kind: string; currency: string; from: string; to: string }

const isDay = (value: string | undefined): value is string => Boolean(value && /^\d{4}-\d{2}-\d{2}$/.test(value))
const pick = <T extends string>(value: string | undefined, allowed: readonly T[]): T | '' =>
  (allowed as readonly string[]).includes(value ?? '') ? (value as T) : ''

/**
 * Every invoice of the reader in one place: billed to them, issued by them, or (operators)
 * all. Filters live in the address, so a filtered list can be bookmarked; days are the
 * reader's days (their time zone). The CSV link downloads exactly the filtered list.
 */
export function InvoicesPage() {
  const user = useRequireUser()
  const { query, route } = useLocation()
  usePageTitle('Invoices')
  const filters: Filters = {
    role: pick(query.role, ['client', 'freelancer'] as const),
    state: pick(query.state, ['draft', 'formal', 'paid', 'void'] as const),
    kind: pick(query.kind, ['invoice', 'credit_note'] as const),
    currency: pick(query.currency, CURRENCIES),
    from: isDay(query.from) ? query.from : '',
    to: isDay(query.to) ? query.to : '',
  }
  const contractId = query.contractId ?? ''
  const counterpartyId = query.counterpartyId ?? ''
  const [form, setForm] = useState(filters)
  const [more, setMore] = useState<{ items: InvoiceListItem[]; cursor: string | null } | null>(null)
  const [loadingMore, setLoadingMore] = useState(false)

  const apiQuery: Query = {
    ...(filters.role ? { role: filters.role as 'client' } : {}),
    ...(filters.state ? { state: [filters.state as 'paid'] } : {}),
    ...(filters.kind ? { kind: filters.kind as 'invoice' } : {}),
    ...(filters.currency ? { currency: filters.currency as 'USD' } : {}),
    ...(filters.from ? { from: dayStart(filters.from) } : {}),
    ...(filters.to ? { to: dayStart(filters.to, 1) } : {}),
    ...(contractId ? { contractId } : {}),
    ...(counterpartyId ? { counterpartyId } : {}),
  }
  const key = JSON.stringify(apiQuery)
  const list = useLoad(() => {
    setMore(null)
    return ok(api.GET('/api/v1/invoices', { params: { query: { ...apiQuery, limit: 25 } } }))
  }, [key])
  useEvents(
    (frame) => {
      if (/^(contract\.money|invoice\.|timesheet\.(submitted|approved|disputed|dispute))/.test(frame.type))
        void list.reload()
    },
    () => void list.reload(),
  )

  const address = (next: Record<string, string>) => {
    const params = new URLSearchParams(Object.entries(next).filter(([, value]) => value !== ''))
    const text = params.toString()
    return `/invoices${text ? `?${text}` : ''}`
  }
  const current = { ...filters, contractId, counterpartyId }
  const apply = (event: Event) => {
    event.preventDefault()
    route(address({ ...form, contractId, counterpartyId }))
  }
  const csvHref = `/api/v1/invoices.csv?${new URLSearchParams(
    Object.entries(apiQuery).flatMap(([name, value]) =>
      Array.isArray(value) ? value.map((v) => [name, String(v)]) : [[name, String(value)]],
    ),
  ).toString()}`

  const items = [...(list.data?.items ?? []), ...(more?.items ?? [])]
  const nextCursor = more ? more.cursor : (list.data?.nextCursor ?? null)
  const loadMore = async (cursor: string) => {
    setLoadingMore(true)
    try {
      const page = await ok(api.GET('/api/v1/invoices', { params: { query: { ...apiQuery, limit: 25, cursor } } }))
      setMore({ items: [...(more?.items ?? []), ...page.items], cursor: page.nextCursor })
    } finally {
      setLoadingMore(false)
    }
  }

  if (!user) return <Loading />
  const named = items.find((i) => i.contractId === contractId)?.contractTitle
  const partyName = (() => {
    const row = items.find((i) => i.clientId === counterpartyId || i.freelancerId === counterpartyId)
    return row ? (row.clientId === counterpartyId ? row.clientName : row.freelancerName) : null
  })()

  return (
    <section class="page">
      <h1>Invoices</h1>
      <p class="muted">
        {user.role === 'operator'
          ? 'Every invoice on this instance.'
          : 'Invoices billed to you as a client and issued by you as a freelancer.'}{' '}
        Dates are the invoice dates (when it was numbered; a draft's when it was made), in your time zone.
      </p>
      <form class="search" aria-label="Filter invoices" onSubmit={apply}>
        <details
          class="filters"
          open={Boolean(
            filters.role || filters.state || filters.kind || filters.currency || filters.from || filters.to,
          )}
        >
          <summary>Filters</summary>
          <div class="filter-grid">
            <Select
              id="f-role"
              label="Your side"
              value={form.role}
              onValue={(role) => setForm({ ...form, role })}
              options={[
                ['', 'Both'],
                ['client', 'Billed to me'],
                ['freelancer', 'Issued by me'],
              ]}
            />
            <Select
              id="f-state"
              label="State"
              value={form.state}
              onValue={(state) => setForm({ ...form, state })}
              options={[
                ['', 'Any'],
                ['draft', 'Draft'],
                ['formal', 'Formal (unpaid)'],
                ['paid', 'Paid'],
                ['void', 'Void'],
              ]}
            />
            <Select
              id="f-kind"
              label="Kind"
              value={form.kind}
              onValue={(kind) => setForm({ ...form, kind })}
              options={[
                ['', 'Any'],
                ['invoice', 'Invoice'],
                ['credit_note', 'Credit note'],
              ]}
            />
            <Select
              id="f-currency"
              label="Currency"
              value={form.currency}
              onValue={(currency) => setForm({ ...form, currency })}
              options={[['', 'Any'], ...CURRENCIES.map((c) => [c, c] as [string, string])]}
            />
            <div class="field">
              <label for="f-from">From</label>
              <input
                id="f-from"
                type="date"
                value={form.from}
                max={form.to || undefined}
                onInput={(e) => setForm({ ...form, from: e.currentTarget.value })}
              />
            </div>
            <div class="field">
              <label for="f-to">To (included)</label>
              <input
                id="f-to"
                type="date"
                value={form.to}
                min={form.from || undefined}
                onInput={(e) => setForm({ ...form, to: e.currentTarget.value })}
              />
            </div>
          </div>
          <div class="actions">
            <button type="submit" class="button button--primary">
              Apply
            </button>
            <a
              class="button"
              href="/invoices"
              onClick={() => setForm({ role: '', state: '', kind: '', currency: '', from: '', to: '' })}
            >
              Clear
            </a>
          </div>
        </details>
        {(contractId || counterpartyId) && (
          <p class="meta">
            {contractId && (
              <a class="badge" href={address({ ...current, contractId: '' })} title="Show every contract">
                Contract: {named ?? 'this contract'} ✕
              </a>
            )}
            {counterpartyId && (
              <a class="badge" href={address({ ...current, counterpartyId: '' })} title="Show everyone">
                With: {partyName ?? 'this person'} ✕
              </a>
            )}
          </p>
        )}
      </form>

      {list.error ? (
        <ErrorState error={list.error} retry={() => void list.reload()} />
      ) : !list.data ? (
        <Loading label="Loading invoices…" />
      ) : (
        <>
          <Totals totals={list.data.totals} />
          <div class="actions">
            <a class="button" href={csvHref} download data-testid="invoices-csv">
              Download CSV
            </a>
            <span class="muted">{`${items.length}${nextCursor ? '+' : ''} invoice${items.length === 1 ? '' : 's'}`}</span>
          </div>
          {items.length === 0 ? (
            <Empty>No invoices match.</Empty>
          ) : (
            <ul class="plain list" data-testid="invoice-list" aria-live="polite">
              {items.map((invoice) => (
                <Row
                  key={invoice.id}
                  invoice={invoice}
                  user={user}
                  filterHref={(next) => address({ ...current, ...next })}
                />
              ))}
            </ul>
          )}
          {nextCursor && (
            <div class="actions">
              <button type="button" class="button" disabled={loadingMore} onClick={() => void loadMore(nextCursor)}>
                {loadingMore ? 'Loading…' : 'Show more'}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  )
}

function Select({
  id,
  label,
  value,
  onValue,
  options,
}: {
  id: string
  label: string
  value: string
  onValue(value: string): void
  options: Array<[string, string]>
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onValue(e.currentTarget.value)}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  )
}

function Totals({ totals }: { totals: InvoiceList['totals'] }) {
  if (totals.length === 0) return null
  return (
    <div class="balances" data-testid="invoice-totals" aria-label="Totals of the filtered invoices">
      {totals.map((t) => (
        <div class="balance" key={t.currency} data-testid={`total-${t.currency}`}>
          <span class="muted">
            {t.currency} · {t.count} invoice{t.count === 1 ? '' : 's'}
          </span>
          <strong>{formatMoney(t.total, t.currency)}</strong>
          <span class="muted">
            fees {formatMoney(t.feeAmount, t.currency)} · net {formatMoney(t.freelancerNet, t.currency)}
          </span>
        </div>
      ))}
    </div>
  )
}

function Row({
  invoice: i,
  user,
  filterHref,
}: {
  invoice: InvoiceListItem
  user: User
  filterHref(next: Record<string, string>): string
}) {
  const asClient = i.clientId === user.id
  const asFreelancer = i.freelancerId === user.id
  const other = asClient
    ? { id: i.freelancerId, name: i.freelancerName, label: 'to' }
    : asFreelancer
      ? { id: i.clientId, name: i.clientName, label: 'from' }
      : null
  return (
    <li class="card invoice-row" data-testid={`invoice-${i.id}`}>
      <div class="invoice-row__main">
        <a href={`/invoices/${i.id}`}>
          <strong>
            {i.kind === 'credit_note' ? 'Credit note' : 'Invoice'} {i.displayNumber ?? '(draft)'}
          </strong>
        </a>{' '}
        <StateBadge state={i.state} />
        <div class="muted">
          {formatDate(i.date)} ·{' '}
          <a href={filterHref({ contractId: i.contractId })} title="Only this contract's invoices">
            {i.contractTitle ?? 'Contract'}
          </a>
        </div>
        <div class="muted">
          {other ? (
            <>
              {asClient ? 'Billed by' : 'Billed to'}{' '}
              <a href={filterHref({ counterpartyId: other.id })} title={`Only invoices with ${other.name}`}>
                {other.name}
              </a>
            </>
          ) : (
            <>
              <a href={filterHref({ counterpartyId: i.clientId })}>{i.clientName}</a> ←{' '}
              <a href={filterHref({ counterpartyId: i.freelancerId })}>{i.freelancerName}</a>
            </>
          )}
        </div>
      </div>
      <div class="invoice-row__amount num">
        <strong data-testid="invoice-amount">{formatMoney(i.total, i.currency)}</strong>
        {i.feeAmount !== 0 && (asFreelancer || !asClient) && (
          <div class="muted">net {formatMoney(i.freelancerNet, i.currency)}</div>
        )}
      </div>
    </li>
  )
}
