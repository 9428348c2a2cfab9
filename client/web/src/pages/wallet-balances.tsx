import type { ComponentChildren } from 'preact'
import { api, ok } from '../lib/api.js'
import { formatMoney } from '../lib/format.js'

export type Wallet = Awaited<ReturnType<typeof loadWallet>>
type Balance = Wallet['balances'][number]

export const loadWallet = () => ok(api.GET('/api/v1/wallet'))

/** Does this person work as a freelancer here: money on the freelancer side, or a profile that offers work. */
const freelancerSide = (b: Balance) => b.earnings + b.escrowForYou + b.pendingWithdrawal > 0
const clientSide = (b: Balance) => b.available + b.inEscrow > 0

function Headline(props: {
  label: string
  amount: number
  currency: string
  testId: string
  children?: ComponentChildren
}) {
  return (
    <div class="card" data-testid={props.testId}>
      <span class="muted">{props.label}</span>
      <strong class="headline-figure">{formatMoney(props.amount, props.currency)}</strong>
      {props.children && <p class="muted">{props.children}</p>}
    </div>
  )
}

/**
 * Each currency's headline is the balance that matters to its reader (docs/wallet.md): a
 * freelancer's available earnings (with what is pending withdrawal and what is in escrow for
 * them), a client's money available to fund milestones (with what is in escrow). Someone who
 * is both sees both; the one line under them keeps every figure.
 */
export function WalletBalances({ wallet, offersWork }: { wallet: Wallet; offersWork: boolean }) {
  return (
    <div class="balances" data-testid="balances">
      {wallet.balances.map((b) => {
        const freelancer = freelancerSide(b) || (offersWork && !clientSide(b))
        const client = clientSide(b) || !freelancer
        return (
          <section key={b.currency} aria-label={`Balances in ${b.currency}`}>
            <div class="headlines">
              {freelancer && (
                <Headline
                  label={`Available earnings (${b.currency})`}
                  amount={b.earnings}
                  currency={b.currency}
                  testId={`earnings-${b.currency}`}
                >
                  Pending withdrawal {formatMoney(b.pendingWithdrawal, b.currency)} · In escrow for you{' '}
                  {formatMoney(b.escrowForYou, b.currency)}
                </Headline>
              )}
              {client && (
                <Headline
                  label={`Available to fund (${b.currency})`}
                  amount={b.available}
                  currency={b.currency}
                  testId={`available-${b.currency}`}
                >
                  In escrow for your milestones {formatMoney(b.inEscrow, b.currency)}
                </Headline>
              )}
            </div>
            <p class="muted">
              {b.currency}: available {formatMoney(b.available, b.currency)} · in escrow{' '}
              {formatMoney(b.inEscrow, b.currency)} · earnings {formatMoney(b.earnings, b.currency)}
              {b.pendingWithdrawal > 0 && ` · withdrawing ${formatMoney(b.pendingWithdrawal, b.currency)}`}
            </p>
          </section>
        )
      })}
    </div>
  )
}
