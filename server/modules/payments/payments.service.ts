import { formatMoney, MESSAGE_LOCALE } from '../../../common/money.js'
import type { Executor, Transaction } from '../../../db/client.js'
import type { Clock } from '../../clock.js'
import { AppError } from '../../http/errors.js'
import { aboutField } from '../../http/validation-errors.js'
import type { IdGenerator } from '../../ids.js'
import { accounts, ledgerErrors, sqlBigint, type LedgerService } from '../ledger/index.js'
import { paymentErrors } from './payments.errors.js'
import type { ProviderRegistry } from './payments.provider.js'
import { createPaymentsRepository, type DepositRow, type WithdrawalRow } from './payments.repository.js'

export interface WalletView {
  balances: Array<{
    currency: string
    available: bigint
    inEscrow: bigint
    escrowForYou: bigint
    earnings: bigint
    pendingWithdrawal: bigint
  }>
  pendingDeposits: DepositRow[]
  pendingWithdrawals: WithdrawalRow[]
}

/**
 * Deposits (world -> wallet) and withdrawals (earnings -> withdrawal_pending at request,
 * so the same money cannot be withdrawn twice or spent meanwhile; -> world when paid out,
 * back to earnings when rejected). Every use case runs in the caller's transaction.
 */
export function createPaymentsService(deps: {
  ledger: Pick<LedgerService, 'transfer' | 'accountsOf'>
  providers: ProviderRegistry
  clock: Clock
  ids: IdGenerator
}) {
  const { ledger, providers, clock, ids } = deps

  const providerNamed = (name: string) => {
    const provider = providers.get(name)
    if (!provider) throw paymentErrors.unknownProvider(undefined, { providers: providers.names() })
    return provider
  }

  /** Ends a pending withdrawal: its reserved money goes out to the world (paid) or back to earnings (rejected). */
  async function closeWithdrawal(
    tx: Transaction,
    input: { withdrawalId: string; actorId: string | null },
    state: 'paid' | 'rejected',
  ): Promise<WithdrawalRow> {
    const repository = createPaymentsRepository(tx)
    const withdrawal = await repository.lockWithdrawal(input.withdrawalId)
    if (!withdrawal) throw paymentErrors.withdrawalNotFound()
    if (withdrawal.state !== 'pending') throw paymentErrors.withdrawalNotPending(undefined, { state: withdrawal.state })
    const { userId, currency, amount } = withdrawal
    const transfer = await ledger.transfer(tx, {
      kind: state === 'paid' ? 'withdrawal_payout' : 'withdrawal_return',
      currency,
      reference: `withdrawal:${withdrawal.id}`,
      actorId: input.actorId,
      legs: [
        { account: accounts.withdrawalPending(userId, currency), amount: -amount },
        { account: state === 'paid' ? accounts.world(currency) : accounts.earnings(userId, currency), amount },
      ],
    })
    return repository.updateWithdrawal(withdrawal.id, {
      state,
      settleTransferId: transfer.id,
      decidedBy: input.actorId,
      decidedAt: clock.now(),
    })
  }

  return {
    async requestDeposit(
      tx: Transaction,
      input: { userId: string; amount: bigint; currency: string; provider?: string },
    ): Promise<DepositRow> {
      const provider = providerNamed(input.provider ?? 'manual')
      const id = ids.newId()
      const started = await provider.startDeposit({
        depositId: id,
        userId: input.userId,
        amount: input.amount,
        currency: input.currency,
      })
      return createPaymentsRepository(tx).insertDeposit({
        id,
        userId: input.userId,
        provider: provider.name,
        providerRef: started.providerRef,
        instructions: started.instructions,
        amount: input.amount,
        currency: input.currency,
        state: 'pending',
        createdAt: clock.now(),
      })
    },

    /** The money arrived (an operator says so for `manual`; a provider's webhook for others). */
    async confirmDeposit(tx: Transaction, input: { depositId: string; actorId: string | null }): Promise<DepositRow> {
      const repository = createPaymentsRepository(tx)
      const deposit = await repository.lockDeposit(input.depositId)
      if (!deposit) throw paymentErrors.depositNotFound()
      if (deposit.state !== 'pending') throw paymentErrors.depositNotPending(undefined, { state: deposit.state })
      const transfer = await ledger.transfer(tx, {
        kind: 'deposit',
        currency: deposit.currency,
        reference: `deposit:${deposit.id}`,
        actorId: input.actorId,
        legs: [
          { account: accounts.world(deposit.currency), amount: -deposit.amount },
          { account: accounts.wallet(deposit.userId, deposit.currency), amount: deposit.amount },
        ],
      })
      return repository.updateDeposit(deposit.id, {
        state: 'confirmed',
        transferId: transfer.id,
        decidedBy: input.actorId,
        decidedAt: clock.now(),
      })
    },

    async cancelDeposit(tx: Transaction, input: { depositId: string; actorId: string | null }): Promise<DepositRow> {
      const repository = createPaymentsRepository(tx)
      const deposit = await repository.lockDeposit(input.depositId)
      if (!deposit) throw paymentErrors.depositNotFound()
      if (deposit.state !== 'pending') throw paymentErrors.depositNotPending(undefined, { state: deposit.state })
      return repository.updateDeposit(deposit.id, {
        state: 'cancelled',
        decidedBy: input.actorId,
        decidedAt: clock.now(),
      })
    },

    async requestWithdrawal(
      tx: Transaction,
      input: { userId: string; amount: bigint; currency: string; destination: string | null; provider?: string },
    ): Promise<WithdrawalRow> {
      const provider = providerNamed(input.provider ?? 'manual')
      const id = ids.newId()
      let reserve
      try {
        reserve = await ledger.transfer(tx, {
          kind: 'withdrawal_reserve',
          currency: input.currency,
          reference: `withdrawal:${id}`,
          actorId: input.userId,
          legs: [
            { account: accounts.earnings(input.userId, input.currency), amount: -input.amount },
            { account: accounts.withdrawalPending(input.userId, input.currency), amount: input.amount },
          ],
        })
      } catch (err) {
        if (err instanceof AppError && err.code === ledgerErrors.insufficientFunds().code) {
          const available = Number(err.details?.available ?? 0)
          const money = (amount: number | bigint) => formatMoney(amount, input.currency, MESSAGE_LOCALE)
          throw paymentErrors.insufficientEarnings(
            ...aboutField(
              'amount',
              `must be at most your available earnings, ${money(available)}`,
              { currency: input.currency, available },
              `A withdrawal of ${money(input.amount)} is more than your ${money(available)} of available earnings`,
            ),
          )
        }
        throw err
      }
      const started = await provider.startPayout({
        withdrawalId: id,
        userId: input.userId,
        amount: input.amount,
        currency: input.currency,
        destination: input.destination,
      })
      return createPaymentsRepository(tx).insertWithdrawal({
        id,
        userId: input.userId,
        provider: provider.name,
        providerRef: started.providerRef,
        destination: input.destination,
        amount: input.amount,
        currency: input.currency,
        state: 'pending',
        reserveTransferId: reserve.id,
        createdAt: clock.now(),
      })
    },

    /** Paid out (confirmed by an operator for `manual`): the reserved money leaves Workroom. */
    settleWithdrawal: (tx: Transaction, input: { withdrawalId: string; actorId: string | null }) =>
      closeWithdrawal(tx, input, 'paid'),

    /** The payout failed or was refused: the reserved money returns to the freelancer's earnings. */
    rejectWithdrawal: (tx: Transaction, input: { withdrawalId: string; actorId: string | null }) =>
      closeWithdrawal(tx, input, 'rejected'),

    async wallet(db: Executor, userId: string): Promise<WalletView> {
      const repository = createPaymentsRepository(db)
      const owned = await ledger.accountsOf(db, [userId])
      const escrow = await repository.escrowOfClient(userId)
      const escrowForYou = await repository.escrowForFreelancer(userId)
      const byCurrency = new Map<string, WalletView['balances'][number]>()
      const row = (currency: string) => {
        let entry = byCurrency.get(currency)
        if (!entry)
          byCurrency.set(
            currency,
            (entry = { currency, available: 0n, inEscrow: 0n, escrowForYou: 0n, earnings: 0n, pendingWithdrawal: 0n }),
          )
        return entry
      }
      for (const account of owned) {
        if (account.kind === 'wallet') row(account.currency).available = account.balance
        else if (account.kind === 'earnings') row(account.currency).earnings = account.balance
        else if (account.kind === 'withdrawal_pending') row(account.currency).pendingWithdrawal = account.balance
      }
      for (const entry of escrow) row(entry.currency).inEscrow = sqlBigint(entry.total)
      for (const entry of escrowForYou) row(entry.currency).escrowForYou = sqlBigint(entry.total)
      const pending = await repository.pendingOf(userId)
      return {
        balances: [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
        pendingDeposits: pending.deposits,
        pendingWithdrawals: pending.withdrawals,
      }
    },
  }
}

export type PaymentsService = ReturnType<typeof createPaymentsService>
