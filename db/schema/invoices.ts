import { sql } from 'drizzle-orm'
import { bigint, check, date, index, jsonb, pgTable, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'
import { contractsTable } from './contracts.js'

export interface InvoiceLine {
  description: string
  quantity: number
  /** Minor units per unit (may be negative on a correcting invoice). */
  unitAmount: number
  amount: number
}

/**
 * One invoice model for milestone releases and approved timesheets.
 * `draft -> formal -> paid`, or `void`: a formal/paid invoice is never edited; voiding it
 * issues a correcting invoice (kind `credit_note`, negated lines) that points at it.
 * `number` is assigned when an invoice becomes formal, from the one gap-free sequence of the
 * instance (`invoice_counters`, locked in the same transaction).
 */
export const invoicesTable = pgTable(
  'invoices',
  {
    id: uuid('id').primaryKey(),
    number: bigint('number', { mode: 'number' }).unique(),
    kind: varchar('kind', { length: 12 }).notNull(),
    state: varchar('state', { length: 8 }).notNull(),
    contractId: uuid('contract_id')
      .notNull()
      .references(() => contractsTable.id),
    workroomId: uuid('workroom_id').notNull(),
    /** What it bills, unique: `release:<transfer id>`, `timesheet:<id>`, `void:<invoice id>`. */
    source: varchar('source', { length: 100 }).notNull().unique(),
    milestoneId: uuid('milestone_id'),
    clientId: uuid('client_id')
      .notNull()
      .references(() => usersTable.id),
    freelancerId: uuid('freelancer_id')
      .notNull()
      .references(() => usersTable.id),
    currency: varchar('currency', { length: 3 }).notNull(),
    lines: jsonb('lines').$type<InvoiceLine[]>().notNull(),
    subtotal: bigint('subtotal', { mode: 'bigint' }).notNull(),
    /** The platform's fee withheld from the freelancer (informational: the client pays `total`). */
    feeAmount: bigint('fee_amount', { mode: 'bigint' }).notNull(),
    total: bigint('total', { mode: 'bigint' }).notNull(),
    periodStart: date('period_start', { mode: 'string' }),
    periodEnd: date('period_end', { mode: 'string' }),
    correctsInvoiceId: uuid('corrects_invoice_id'),
    note: text('note'),
    issuedAt: timestamp('issued_at', { withTimezone: true, mode: 'date' }),
    paidAt: timestamp('paid_at', { withTimezone: true, mode: 'date' }),
    voidedAt: timestamp('voided_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    index('invoices_contract_idx').on(table.contractId, table.createdAt),
    // Lists of a client's, a freelancer's and (operators) all invoices, newest invoice date first.
    index('invoices_client_date_idx').on(table.clientId, sql`coalesce(${table.issuedAt}, ${table.createdAt})`),
    index('invoices_freelancer_date_idx').on(table.freelancerId, sql`coalesce(${table.issuedAt}, ${table.createdAt})`),
    index('invoices_date_idx').on(sql`coalesce(${table.issuedAt}, ${table.createdAt})`),
    check('invoices_kind_check', sql`${table.kind} in ('invoice', 'credit_note')`),
    check('invoices_state_check', sql`${table.state} in ('draft', 'formal', 'paid', 'void')`),
    check('invoices_number_check', sql`(${table.state} = 'draft') = (${table.number} is null)`),
    check('invoices_total_check', sql`${table.total} = ${table.subtotal}`),
  ],
)

/** The instance's invoice sequence: one row, locked FOR UPDATE by whoever takes a number. */
export const invoiceCountersTable = pgTable('invoice_counters', {
  scope: varchar('scope', { length: 32 }).primaryKey(),
  lastNumber: bigint('last_number', { mode: 'number' }).notNull(),
})
