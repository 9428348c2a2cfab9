import type { Transaction } from '../../../db/client.js'
import { formatMoney, MESSAGE_LOCALE } from '../../../common/money.js'
import type { NotificationsService } from '../notifications/index.js'
import type { WithdrawalRow } from './payments.repository.js'

/** An operator confirmed a payout: its owner hears that the money left for their bank. */
export async function noticeWithdrawalPaid(
  notifications: Pick<NotificationsService, 'notify'>,
  tx: Transaction,
  withdrawal: WithdrawalRow,
): Promise<void> {
  const amount = formatMoney(withdrawal.amount, withdrawal.currency, MESSAGE_LOCALE)
  await notifications.notify(tx, {
    type: 'withdrawal.paid',
    userIds: [withdrawal.userId],
    subject: { kind: 'withdrawal', id: withdrawal.id },
    title: `Your withdrawal of ${amount} was paid out`,
    link: '/wallet',
    data: { withdrawalId: withdrawal.id, amount: { amount: String(withdrawal.amount), currency: withdrawal.currency } },
  })
}
