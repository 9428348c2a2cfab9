import { useRoute } from 'preact-iso'
import { api, ok } from '../lib/api.js'
import { formatDate, formatDateTime, formatMoney } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { useRequireUser } from '../lib/session.js'
import { Async, Loading, StateBadge } from '../ui/states.js'
import { usePageTitle } from '../lib/title.js'

/** One invoice, printable (the browser's print hides the site chrome). */
export function InvoicePage() {
  const user = useRequireUser()
  const { params } = useRoute()
  const id = params.id!
  const invoice = useLoad(() => ok(api.GET('/api/v1/invoices/{id}', { params: { path: { id } } })), [id])
  const contract = useLoad(
    () =>
      invoice.data
        ? ok(api.GET('/api/v1/contracts/{id}', { params: { path: { id: invoice.data.contractId } } }))
        : Promise.resolve(null),
    [invoice.data?.contractId],
  )
  usePageTitle(invoice.data && `Invoice ${invoice.data.displayNumber ?? '(draft)'}`)
  if (!user) return <Loading />
  return (
    <section class="page">
      <Async state={invoice}>
        {(inv) => {
          const money = (n: number) => formatMoney(n, inv.currency)
          return (
            <>
              <div class="actions no-print">
                <a href={`/contracts/${inv.contractId}`}>← Back to the contract</a>
                <button type="button" class="button" onClick={() => window.print()}>
                  Print
                </button>
                <a class="button" href={`/api/v1/invoices/${inv.id}/html`} target="_blank" rel="noopener">
                  Printable page
                </a>
                <a
                  class="button"
                  href={`/api/v1/invoices/${inv.id}`}
                  download={`invoice-${inv.displayNumber ?? inv.id}.json`}
                >
                  JSON
                </a>
              </div>
              <article class="invoice-sheet" data-testid="invoice">
                <h1>
                  {inv.kind === 'credit_note' ? 'Credit note' : 'Invoice'} {inv.displayNumber ?? '(draft)'}{' '}
                  <StateBadge state={inv.state} />
                </h1>
                <dl class="facts">
                  <dt>Contract</dt>
                  <dd>{contract.data?.jobTitle ?? '…'}</dd>
                  <dt>Issued</dt>
                  <dd>{formatDateTime(inv.issuedAt)}</dd>
                  {inv.periodStart && (
                    <>
                      <dt>Period (UTC)</dt>
                      <dd>
                        {formatDate(inv.periodStart, { utc: true })} – {formatDate(inv.periodEnd, { utc: true })}
                      </dd>
                    </>
                  )}
                  {inv.paidAt && (
                    <>
                      <dt>Paid</dt>
                      <dd>{formatDateTime(inv.paidAt)}</dd>
                    </>
                  )}
                </dl>
                <table class="table">
                  <thead>
                    <tr>
                      <th scope="col">Description</th>
                      <th scope="col" class="num">
                        Quantity
                      </th>
                      <th scope="col" class="num">
                        Unit
                      </th>
                      <th scope="col" class="num">
                        Amount
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {inv.lines.map((line, i) => (
                      <tr key={i}>
                        <td>{line.description}</td>
                        <td class="num">{line.quantity}</td>
                        <td class="num">{money(line.unitAmount)}</td>
                        <td class="num">{money(line.amount)}</td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    <tr>
                      <th scope="row" colSpan={3}>
                        Total
                      </th>
                      <td class="num" data-testid="invoice-total">
                        <strong>{money(inv.total)}</strong>
                      </td>
                    </tr>
                    {inv.feeAmount > 0 && (
                      <tr>
                        <td colSpan={3} class="muted">
                          Platform fee (from the freelancer’s side) · freelancer receives {money(inv.freelancerNet)}
                        </td>
                        <td class="num muted">{money(inv.feeAmount)}</td>
                      </tr>
                    )}
                  </tfoot>
                </table>
                {inv.note && <p>{inv.note}</p>}
              </article>
            </>
          )
        }}
      </Async>
    </section>
  )
}
