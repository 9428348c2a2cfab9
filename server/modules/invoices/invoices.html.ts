import { formatMoney } from '../../../common/money.js'
import type { InvoiceRow } from './invoices.repository.js'
import { formatInvoiceNumber } from './invoices.service.js'

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** The page is rendered once for every reader, so amounts use one fixed locale. */
const INVOICE_LOCALE = 'en'

/** A printable page: no scripts, no external resources, everything escaped. */
export function renderInvoiceHtml(invoice: InvoiceRow, names: { client: string; freelancer: string }): string {
  const number = formatInvoiceNumber(invoice.number) ?? 'DRAFT'
  const title = invoice.kind === 'credit_note' ? 'Correcting invoice' : 'Invoice'
  const money = (n: number | bigint) => escape(formatMoney(n, invoice.currency, INVOICE_LOCALE))
  const date = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '—')
  const rows = invoice.lines
    .map(
      (line) =>
        `<tr><td>${escape(line.description)}</td><td class="n">${line.quantity}</td><td class="n">${money(line.unitAmount)}</td><td class="n">${money(line.amount)}</td></tr>`,
    )
    .join('\n')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(title)} ${escape(number)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;max-width:760px;margin:2rem auto;color:#111}
h1{font-size:1.5rem;margin:0 0 .25rem}table{width:100%;border-collapse:collapse;margin:1rem 0}
th,td{padding:.4rem;border-bottom:1px solid #ddd;text-align:left}.n{text-align:right;white-space:nowrap}
.state{display:inline-block;padding:.1rem .5rem;border:1px solid #999;border-radius:4px;text-transform:uppercase;font-size:.8rem}
.parties{display:flex;gap:3rem}.muted{color:#555}@media print{body{margin:0}}
</style>
</head>
<body>
<h1>${escape(title)} ${escape(number)} <span class="state">${escape(invoice.state)}</span></h1>
<p class="muted">Issued ${date(invoice.issuedAt)}${invoice.paidAt ? ` · paid ${date(invoice.paidAt)}` : ''}${invoice.voidedAt ? ` · voided ${date(invoice.voidedAt)}` : ''}${
    invoice.periodStart ? ` · period ${escape(invoice.periodStart)} – ${escape(invoice.periodEnd ?? '')}` : ''
  }</p>
<div class="parties">
<div><div class="muted">From (freelancer)</div><strong>${escape(names.freelancer)}</strong></div>
<div><div class="muted">To (client)</div><strong>${escape(names.client)}</strong></div>
</div>
<table>
<thead><tr><th>Description</th><th class="n">Qty</th><th class="n">Unit</th><th class="n">Amount</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot>
<tr><th colspan="3">Subtotal</th><td class="n">${money(invoice.subtotal)}</td></tr>
<tr><th colspan="3">Total</th><td class="n"><strong>${money(invoice.total)}</strong></td></tr>
<tr class="muted"><td colspan="3">Platform fee withheld from the freelancer</td><td class="n">${money(invoice.feeAmount)}</td></tr>
<tr class="muted"><td colspan="3">Paid to the freelancer</td><td class="n">${money(invoice.total - invoice.feeAmount)}</td></tr>
</tfoot>
</table>
${invoice.note ? `<p>${escape(invoice.note)}</p>` : ''}
<p class="muted">Contract ${escape(invoice.contractId)} · invoice id ${escape(invoice.id)}</p>
</body>
</html>
`
}
