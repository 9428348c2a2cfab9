import { desc, eq } from 'drizzle-orm'
import type * as Y from 'yjs'
import type { Database } from '../../../db/client.js'
import { invoicesTable } from '../../../db/schema/index.js'
import type { DocumentMutation } from '../../realtime/kinds.js'
import type { EventsService } from '../events/index.js'
import { formatInvoiceNumber } from '../invoices/index.js'
import { heldOf } from './milestones.money.js'
import { createMilestonesRepository } from './milestones.repository.js'

const REFRESH_SOON_MS = [20, 1000]

/**
 * The money side of the live contract state (`contract:<id>:state`, written by the server
 * only): top-level Y.Maps `milestones` (milestone id -> its state and amounts) and
 * `invoices` (invoice id -> number, state, total). `refresh` re-reads the database and
 * writes only what differs, so it is safe to call any number of times, in any order, after
 * a commit; the parties also get a `contract.money` event on their event stream.
 */
export function createMoneyLiveState(deps: {
  db: Database
  contractState: { write(contractId: string, mutate: DocumentMutation): Promise<void> } | null
  events: Pick<EventsService, 'publish'> | null
  log: { warn(obj: object, msg: string): void }
}) {
  const { db } = deps

  async function snapshot(contractId: string) {
    const repository = createMilestonesRepository(db)
    const contract = await repository.contract(contractId)
    if (!contract) return null
    const milestones = await repository.ofContract(contractId)
    const disputes = await repository.liveDisputesOf(milestones.map((m) => m.id))
    const invoices = await db
      .select()
      .from(invoicesTable)
      .where(eq(invoicesTable.contractId, contractId))
      .orderBy(desc(invoicesTable.createdAt))
      .limit(200)
    const disputeOf = new Map(disputes.map((d) => [d.milestoneId, d]))
    const milestoneValues = Object.fromEntries(
      milestones.map((m) => {
        const dispute = disputeOf.get(m.id)
        return [
          m.id,
          {
            position: m.position,
            title: m.title,
            amount: Number(m.amount),
            currency: m.currency,
            dueDate: m.dueDate,
            state: m.state,
            held: Number(heldOf(m)),
            released: Number(m.releasedAmount),
            refunded: Number(m.refundedAmount),
            refundRequested: m.refundRequestedAmount === null ? null : Number(m.refundRequestedAmount),
            autoReleaseAt: m.autoReleaseAt?.toISOString() ?? null,
            disputeId: dispute?.id ?? null,
            disputeState: dispute?.state ?? null,
          },
        ]
      }),
    )
    const invoiceValues = Object.fromEntries(
      invoices.map((i) => [
        i.id,
        {
          number: i.number,
          displayNumber: formatInvoiceNumber(i.number),
          kind: i.kind,
          state: i.state,
          total: Number(i.total),
          currency: i.currency,
          milestoneId: i.milestoneId,
        },
      ]),
    )
    return { contract, milestoneValues, invoiceValues }
  }

  const reconcile = (map: Y.Map<unknown>, values: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(values)) {
      if (JSON.stringify(map.get(key)) !== JSON.stringify(value)) map.set(key, value)
    }
  }

  const timers = new Set<NodeJS.Timeout>()

  async function refresh(contractId: string): Promise<void> {
    try {
      const state = await snapshot(contractId)
      if (!state) return
      if (deps.contractState) {
        await deps.contractState.write(contractId, (doc) => {
          doc.transact(() => {
            reconcile(doc.getMap('milestones'), state.milestoneValues)
            reconcile(doc.getMap('invoices'), state.invoiceValues)
          })
        })
      }
      await deps.events?.publish([state.contract.clientId, state.contract.freelancerId], {
        type: 'contract.money',
        workroomId: state.contract.workroomId,
        data: { contractId, milestones: state.milestoneValues },
      })
    } catch (err) {
      deps.log.warn({ err, contractId }, 'live money state not updated')
    }
  }

  return {
    refresh,
    /**
     * For changes made where no "after commit" step exists (deadline handlers, the terms
     * binding hook): refresh a moment later (reading committed rows; on PGlite the read
     * simply waits for the transaction) and once more later in case the commit was slow.
     */
    refreshSoon(contractId: string): void {
      for (const delay of REFRESH_SOON_MS) {
        const timer = setTimeout(() => {
          timers.delete(timer)
          void refresh(contractId)
        }, delay)
        timer.unref()
        timers.add(timer)
      }
    },
    close(): void {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
    },
  }
}

export type MoneyLiveState = ReturnType<typeof createMoneyLiveState>
