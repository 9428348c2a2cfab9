/**
 * Where money enters and leaves Workroom. The ledger and the milestone code never see a
 * provider: they move money between internal accounts only. A provider starts a deposit or
 * a payout; when it learns that the money arrived or left (an operator's confirmation for
 * the built-in `manual` provider, a webhook for a card or bank API), it calls the payments
 * service's `confirmDeposit` / `settleWithdrawal`, which post world -> wallet and
 * withdrawal_pending -> world.
 *
 * Calls happen inside the request's transaction; a remote provider must answer quickly and
 * use the deposit or withdrawal id as its own idempotency key, so a retried request never
 * creates a second charge or payout.
 */
export interface PaymentProvider {
  /** Stored with every deposit and withdrawal it carries. */
  readonly name: string
  startDeposit(input: DepositStart): Promise<{ providerRef: string | null; instructions: Record<string, unknown> }>
  startPayout(input: PayoutStart): Promise<{ providerRef: string | null }>
}

export interface DepositStart {
  depositId: string
  userId: string
  amount: bigint
  currency: string
}

export interface PayoutStart {
  withdrawalId: string
  userId: string
  amount: bigint
  currency: string
  destination: string | null
}

/** Manual bank transfers: the payer sends money with a reference; an operator confirms its arrival (and pays out by hand). */
export const manualProvider: PaymentProvider = {
  name: 'manual',
  async startDeposit({ depositId, amount, currency }) {
    const reference = `WR-${depositId.replace(/-/g, '').slice(0, 12).toUpperCase()}`
    return {
      providerRef: reference,
      instructions: {
        method: 'bank_transfer',
        reference,
        amount: Number(amount),
        currency,
        note: 'Send the amount by bank transfer quoting the reference; the money shows in your wallet once an operator confirms it arrived.',
      },
    }
  },
  async startPayout({ withdrawalId }) {
    return { providerRef: `WR-PAYOUT-${withdrawalId.replace(/-/g, '').slice(0, 12).toUpperCase()}` }
  },
}

export function createProviderRegistry(initial: PaymentProvider[] = [manualProvider]) {
  const providers = new Map(initial.map((p) => [p.name, p]))
  return {
    register(provider: PaymentProvider): void {
      if (providers.has(provider.name)) throw new Error(`payment provider ${provider.name} registered twice`)
      providers.set(provider.name, provider)
    },
    get(name: string): PaymentProvider | undefined {
      return providers.get(name)
    },
    names(): string[] {
      return [...providers.keys()]
    },
  }
}

export type ProviderRegistry = ReturnType<typeof createProviderRegistry>
