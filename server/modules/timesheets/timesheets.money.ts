import { formatMoney, MESSAGE_LOCALE } from '../../../common/money.js'
import type { Transaction } from '../../../db/client.js'
import type { Clock } from '../../clock.js'
import { AppError } from '../../http/errors.js'
import type { IdGenerator } from '../../ids.js'
import type { Scheduler } from '../../plugins/scheduler.js'
import { createInvoicesRepository, type InvoiceRow, type InvoicesService } from '../invoices/index.js'
import { accounts, platformFee, type LedgerService } from '../ledger/index.js'
import { amountFor, isoWeekLabel, WEEK_MS, type HourlyContract, type WeekTotals } from '../tracker/index.js'
import type { SettingsReader } from '../settings/index.js'
import type { TimesheetRow } from './timesheets.repository.js'

/** Retries payment of a formal timesheet invoice the client's wallet could not cover yet. */
export const COLLECT_KIND = 'timesheet.collect'
export const COLLECT_RETRY_MS = 60 * 60_000

export interface MoneyDeps {
  ledger: Pick<LedgerService, 'transfer'>
  invoices: Pick<InvoicesService, 'issue' | 'finalize' | 'markPaid'>
  scheduler: Pick<Scheduler, 'schedule'>
  clock: Clock
  ids: IdGenerator
  /** The platform fee is the operator's setting in force when a week is billed. */
  settings: SettingsReader
}

/** The platform fee on `gross` at the operator's rate in force now, read in the billing transaction. */
export async function feeOf(tx: Transaction, deps: Pick<MoneyDeps, 'settings'>, gross: bigint): Promise<bigint> {
  return platformFee(gross, (await deps.settings.getSettings(tx)).platformFeeBps).fee
}

const day = (at: Date) => at.toISOString().slice(0, 10)

function hoursText(minutes: number): string {
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`
}

/** `4500, 'USD'` -> `$45.00/h` (major units, as the invoice's reader counts). */
function rateText(rate: number, currency: string): string {
  return `${formatMoney(rate, currency, MESSAGE_LOCALE)}/h`
}

/**
 * What a week's billable minutes (the weekly limit already applied) come to at the
 * contract's rate. One rule for the running amount of an open week and for the invoice its
 * submission creates, so the two are always equal.
 */
export function weekAmount(
  totals: Pick<WeekTotals, 'billableMinutes'>,
  contract: Pick<HourlyContract, 'hourlyRate'>,
): bigint {
  return BigInt(amountFor(totals.billableMinutes, contract.hourlyRate ?? 0))
}

/** The invoice line for `minutes` of a week: one line, its amount computed by the caller. */
export function weekLines(sheet: TimesheetRow, contract: HourlyContract, minutes: number, amount: bigint, label = '') {
  const rate = sheet.hourlyRate ?? contract.hourlyRate ?? 0
  return [
    {
      description: `Hourly work ${isoWeekLabel(sheet.weekStart)}${label}: ${hoursText(minutes)} at ${rateText(rate, sheet.currency)} (minutes x rate / 60, rounded half up)`,
      quantity: 1,
      unitAmount: Number(amount),
      amount: Number(amount),
    },
  ]
}

export function period(sheet: TimesheetRow) {
  return { periodStart: day(sheet.weekStart), periodEnd: day(new Date(sheet.weekStart.getTime() + WEEK_MS - 1)) }
}

export const partiesOf = (contract: HourlyContract) => ({
  contractId: contract.id,
  workroomId: contract.workroomId,
  clientId: contract.clientId,
  freelancerId: contract.freelancerId,
})

/**
 * Rewrites a draft invoice's lines and amounts (a draft is not yet issued, so revising it is
 * not an edit of an issued invoice). Used when a dispute splits a week.
 */
export async function reviseDraft(
  tx: Transaction,
  invoiceId: string,
  input: { lines: InvoiceRow['lines']; amount: bigint; fee: bigint; note?: string },
) {
  const repository = createInvoicesRepository(tx)
  const draft = await repository.lock(invoiceId)
  if (!draft || draft.state !== 'draft') throw new Error(`invoice ${invoiceId} is not a draft`)
  return repository.update(invoiceId, {
    lines: input.lines,
    subtotal: input.amount,
    total: input.amount,
    feeAmount: input.fee,
    ...(input.note !== undefined ? { note: input.note } : {}),
  })
}

/**
 * Moves `gross` from the client's wallet: wallet -> freelancer earnings (less the fee) and
 * -> platform fees, one balanced ledger transfer. It runs in a savepoint: a wallet that
 * cannot cover it leaves everything else of the approval in place ('awaiting_funds').
 */
async function collect(
  tx: Transaction,
  deps: MoneyDeps,
  /** `fee`: the one the invoice being paid says (or is about to say). */
  input: {
    contract: HourlyContract
    currency: string
    gross: bigint
    fee: bigint
    reference: string
    actorId: string | null
  },
) {
  const { contract, currency, gross, fee } = input
  const net = gross - fee
  try {
    await tx.transaction(async (savepoint) => {
      await deps.ledger.transfer(savepoint, {
        kind: 'timesheet',
        currency,
        reference: input.reference,
        actorId: input.actorId,
        legs: [
          { account: accounts.wallet(contract.clientId, currency), amount: -gross },
          { account: accounts.earnings(contract.freelancerId, currency), amount: net },
          { account: accounts.fees(currency), amount: fee },
        ],
      })
    })
    return 'paid' as const
  } catch (err) {
    if (err instanceof AppError && err.code === 'ledger.insufficient_funds') return 'awaiting_funds' as const
    throw err
  }
}

async function scheduleCollection(
  tx: Transaction,
  deps: MoneyDeps,
  input: { invoiceId: string; timesheetId: string; attempt: number },
) {
  await deps.scheduler.schedule(
    {
      kind: COLLECT_KIND,
      subject: `${input.invoiceId}#${input.attempt}`,
      dueAt: new Date(deps.clock.now().getTime() + COLLECT_RETRY_MS),
      payload: input,
    },
    tx,
  )
}

/** Another attempt at paying a formal invoice whose wallet was short (the collect deadline). */
export async function retryPayment(
  tx: Transaction,
  deps: MoneyDeps,
  input: { contract: HourlyContract; invoice: InvoiceRow; timesheetId: string; attempt: number },
): Promise<'paid' | 'awaiting_funds' | 'settled'> {
  const { invoice } = input
  if (invoice.state !== 'formal') return 'settled'
  const payment = await collect(tx, deps, {
    contract: input.contract,
    currency: invoice.currency,
    gross: invoice.total,
    fee: invoice.feeAmount,
    reference: `invoice:${invoice.id}`,
    actorId: null,
  })
  if (payment === 'paid') await deps.invoices.markPaid(tx, invoice.id)
  else
    await scheduleCollection(tx, deps, {
      invoiceId: invoice.id,
      timesheetId: input.timesheetId,
      attempt: input.attempt + 1,
    })
  return payment
}

/**
 * Bills `minutes` worth `amount`: moves the money, then issues the formal invoice (or
 * finalizes the week's draft, revised to this amount) and marks it paid. Lock order as in
 * every money use case: ledger accounts, then the invoice number, then the activity chain.
 * A wallet that cannot pay leaves the invoice formal and schedules collection.
 */
export async function billMinutes(
  tx: Transaction,
  deps: MoneyDeps,
  input: {
    sheet: TimesheetRow
    contract: HourlyContract
    minutes: number
    amount: bigint
    actorId: string | null
    /** Finalize this draft (revised to the amount) instead of issuing a new invoice. */
    draftId?: string
    source: string
    label?: string
  },
): Promise<{ invoice: InvoiceRow; payment: 'paid' | 'awaiting_funds' }> {
  const { sheet, contract } = input
  // One fee for the payment and the invoice that records it: the settings are read once.
  const fee = await feeOf(tx, deps, input.amount)
  const payment = await collect(tx, deps, {
    contract,
    currency: sheet.currency,
    gross: input.amount,
    fee,
    reference: input.source,
    actorId: input.actorId,
  })
  const lines = weekLines(sheet, contract, input.minutes, input.amount, input.label)
  let invoice: InvoiceRow
  if (input.draftId) {
    await reviseDraft(tx, input.draftId, { lines, amount: input.amount, fee })
    invoice = await deps.invoices.finalize(tx, input.draftId)
  } else {
    invoice = await deps.invoices.issue(tx, {
      parties: partiesOf(contract),
      source: input.source,
      currency: sheet.currency,
      lines,
      feeAmount: fee,
      state: 'formal',
      ...period(sheet),
    })
  }
  if (payment === 'paid') invoice = await deps.invoices.markPaid(tx, invoice.id)
  else await scheduleCollection(tx, deps, { invoiceId: invoice.id, timesheetId: sheet.id, attempt: 1 })
  return { invoice, payment }
}
