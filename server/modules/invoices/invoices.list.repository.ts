import { and, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { Executor } from '../../../db/client.js'
import { contractsTable, invoicesTable, jobsTable, usersTable } from '../../../db/schema/index.js'
import { olderThan, type TimeIdCursor } from '../../http/page-cursor.js'
import type { InvoiceRow } from './invoices.repository.js'

export type InvoiceState = 'draft' | 'formal' | 'paid' | 'void'
export type InvoiceKind = 'invoice' | 'credit_note'

/** Which invoices a list or an export covers. Every field but `viewer` narrows it. */
export interface InvoiceFilter {
  /** A user sees the invoices they are a party to; `everyone` (operators) sees all. */
  viewer: { userId: string; everyone: boolean }
  /** The viewer's side: `client` (billed to them) or `freelancer` (issued by them). */
  role?: 'client' | 'freelancer'
  states?: InvoiceState[]
  kind?: InvoiceKind
  /** Invoice date from (inclusive) and to (exclusive). */
  from?: Date
  to?: Date
  contractId?: string
  /** The other party; for operators, either party. */
  counterpartyId?: string
  currency?: string
}

export interface InvoiceListRow {
  invoice: InvoiceRow
  clientName: string
  freelancerName: string
  contractTitle: string | null
}

export interface InvoiceTotalsRow {
  currency: string
  count: number
  total: bigint
  feeAmount: bigint
}

const t = invoicesTable

/**
 * An invoice's date: when it was numbered (issued), or for a draft when it was made. Lists
 * are ordered by it and date ranges test it, so a month's export holds the invoices dated
 * in that month.
 */
const invoiceDate = sql`coalesce(${t.issuedAt}, ${t.createdAt})`

const at = (date: Date) => sql`${date.toISOString()}::timestamptz`

function parties(filter: InvoiceFilter): SQL | undefined {
  const me = filter.viewer.userId
  const other = filter.counterpartyId
  if (filter.role === 'client') return and(eq(t.clientId, me), other ? eq(t.freelancerId, other) : undefined)
  if (filter.role === 'freelancer') return and(eq(t.freelancerId, me), other ? eq(t.clientId, other) : undefined)
  if (filter.viewer.everyone) return other ? or(eq(t.clientId, other), eq(t.freelancerId, other)) : undefined
  if (other)
    return or(and(eq(t.clientId, me), eq(t.freelancerId, other)), and(eq(t.freelancerId, me), eq(t.clientId, other)))
  return or(eq(t.clientId, me), eq(t.freelancerId, me))
}

function whereOf(filter: InvoiceFilter): SQL | undefined {
  return and(
    parties(filter),
    filter.states?.length ? inArray(t.state, filter.states) : undefined,
    filter.kind ? eq(t.kind, filter.kind) : undefined,
    filter.from ? sql`${invoiceDate} >= ${at(filter.from)}` : undefined,
    filter.to ? sql`${invoiceDate} < ${at(filter.to)}` : undefined,
    filter.contractId ? eq(t.contractId, filter.contractId) : undefined,
    filter.currency ? eq(t.currency, filter.currency) : undefined,
  )
}

const clientUser = alias(usersTable, 'invoice_client')
const freelancerUser = alias(usersTable, 'invoice_freelancer')

export function createInvoiceListRepository(db: Executor) {
  return {
    /** Newest first by invoice date, then id; `after` is the last row of the previous page. */
    async page(filter: InvoiceFilter, after: TimeIdCursor | null, limit: number): Promise<InvoiceListRow[]> {
      const rows = await db
        .select({
          invoice: t,
          clientName: clientUser.name,
          freelancerName: freelancerUser.name,
          contractTitle: jobsTable.title,
        })
        .from(t)
        .innerJoin(clientUser, eq(clientUser.id, t.clientId))
        .innerJoin(freelancerUser, eq(freelancerUser.id, t.freelancerId))
        .innerJoin(contractsTable, eq(contractsTable.id, t.contractId))
        .leftJoin(jobsTable, eq(jobsTable.id, contractsTable.jobId))
        .where(and(whereOf(filter), olderThan(invoiceDate, t.id, after)))
        .orderBy(desc(invoiceDate), desc(t.id))
        .limit(limit)
      return rows
    },

    /** Count and sums per currency over the whole filter (credit notes count negative). */
    async totals(filter: InvoiceFilter): Promise<InvoiceTotalsRow[]> {
      const rows = await db
        .select({
          currency: t.currency,
          count: sql<number>`count(*)::int`,
          total: sql<string>`coalesce(sum(${t.total}), 0)::text`,
          feeAmount: sql<string>`coalesce(sum(${t.feeAmount}), 0)::text`,
        })
        .from(t)
        .where(whereOf(filter))
        .groupBy(t.currency)
        .orderBy(t.currency)
      return rows.map((row) => ({
        currency: row.currency,
        count: Number(row.count),
        total: BigInt(row.total),
        feeAmount: BigInt(row.feeAmount),
      }))
    },
  }
}

/** The date lists order by and cursors carry (see `invoiceDate`). */
export const dateOf = (invoice: Pick<InvoiceRow, 'issuedAt' | 'createdAt'>): Date =>
  invoice.issuedAt ?? invoice.createdAt
