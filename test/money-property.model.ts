// The model of money-property.test.ts: fast-check's command generator, what the model holds
// per actor, and how money moves between its balances. money-property.plan.ts predicts each
// command's answer (status and code) against it. Kept apart from the test so the rules can be
// read without the plumbing.
import fc from 'fast-check'
import { platformFee } from '../server/modules/ledger/index.js'
import type { TestUser } from './helper.js'

export const FEE_BPS = 1000

export type Side = 'client' | 'freelancer'
export interface MDispute {
  id: string
  opener: Side
  state: 'open' | 'answered' | 'escalated' | 'resolved'
  clientAccepts: number | null
  freelancerAccepts: number | null
  responded: boolean
}
export interface MMilestone {
  id: string
  amount: number
  state: string
  held: number
  refundRequested: number | null
  dispute: MDispute | null
}
export interface MActor {
  index: number
  client: TestUser
  freelancer: TestUser
  currency: string
  wallet: number
  earnings: number
  pending: number
  fees: number
  inside: number
  withdrawals: Array<{ id: string; amount: number; state: 'pending' | 'paid' | 'rejected' }>
  milestones: MMilestone[]
}

/** How often each command is drawn, relative to the others. */
const kinds = {
  deposit: 3,
  fund: 5,
  submit: 3,
  requestChanges: 2,
  approve: 4,
  refundAsk: 1,
  refund: 2,
  dispute: 2,
  respond: 2,
  settle: 2,
  escalate: 1,
  decide: 1,
  withdraw: 2,
  payout: 2,
  newContract: 1,
} as const
type Kind = keyof typeof kinds

export const commandArb = fc.record({
  kind: fc.oneof(
    ...(Object.entries(kinds) as Array<[Kind, number]>).map(([kind, weight]) => ({
      arbitrary: fc.constant(kind),
      weight,
    })),
  ),
  pick: fc.nat({ max: 1_000_000 }),
  percent: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
  by: fc.constantFrom<Side>('client', 'freelancer'),
  amount: fc.integer({ min: 1, max: 120_000 }),
  retry: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
})
export type Command = typeof commandArb extends fc.Arbitrary<infer C> ? C : never

/** The milestone amounts of a `newContract` command; null while the actor has 6 unfunded milestones. */
export function newContractAmounts(actor: MActor, command: Command): number[] | null {
  if (actor.milestones.filter((x) => x.state === 'pending').length >= 6) return null
  return Array.from({ length: 1 + (command.pick % 4) }, (_, i) =>
    i === 0 && command.pick % 7 === 0 ? 1 + (command.amount % 15) : 1 + ((command.amount * (i + 3)) % 60_000),
  )
}

/** Release `gross` from the hold in the model: fee floor(gross * bps / 10000), the rest to earnings. */
export const release = (actor: MActor, m: MMilestone, gross: number) => {
  const { fee, net } = platformFee(BigInt(gross), FEE_BPS)
  actor.earnings += Number(net)
  actor.fees += Number(fee)
  m.held -= gross
}
/** Ends a dispute in the model: `freelancerAmount` released (less the fee), the rest back to the wallet. */
export const resolve = (actor: MActor, m: MMilestone, freelancerAmount: number) => {
  const clientAmount = m.held - freelancerAmount
  if (freelancerAmount > 0) release(actor, m, freelancerAmount)
  actor.wallet += clientAmount
  m.held -= clientAmount
  m.state = freelancerAmount > 0 ? 'released' : 'refunded'
  m.dispute!.state = 'resolved'
}
