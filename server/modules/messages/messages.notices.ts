import type { Transaction } from '../../../db/client.js'
import { createAccountsRepository } from '../accounts/index.js'
import type { Presence } from '../events/index.js'
import type { NotificationsService } from '../notifications/index.js'
import { createMessagesRepository, type MessageRow } from './messages.repository.js'

/** Characters of the message quoted in the notification's title. */
const QUOTE_CHARS = 80

export interface MessageNoticeDeps {
  notifications: Pick<NotificationsService, 'notify'>
  presence: Pick<Presence, 'offline'>
}

/**
 * A message notifies its recipient only when they are offline (no event stream open on any
 * instance, so the live push reached nobody) and only for the first message of the thread
 * they have not read: the rest of a burst is already announced until they read the thread
 * (docs/notifications.md, "Messages"). Runs after the message's activity entry, which locks
 * the workroom: concurrent messages of one thread are counted one after another.
 */
export async function noticeMessage(
  deps: MessageNoticeDeps,
  tx: Transaction,
  input: { message: MessageRow; freelancerId: string; clientId: string },
): Promise<void> {
  const { message } = input
  const recipient = message.authorId === input.clientId ? input.freelancerId : input.clientId
  const unread = await createMessagesRepository(tx).unreadCounts([message.threadId], recipient)
  if ((unread.get(message.threadId) ?? 0) !== 1) return
  if ((await deps.presence.offline(tx, [recipient])).length === 0) return
  const author = await createAccountsRepository(tx).findUserById(message.authorId)
  const text = [...message.body.replace(/\s+/g, ' ').trim()]
  const quote = text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS - 1).join('')}…` : text.join('')
  await deps.notifications.notify(tx, {
    type: 'message.received',
    userIds: [recipient],
    workroomId: message.workroomId,
    subject: { kind: 'thread', id: message.threadId },
    title: `${author?.name ?? 'Someone'} sent you a message: “${quote}”`,
    link: `/workrooms/${message.workroomId}/messages?thread=${message.threadId}`,
    data: { threadId: message.threadId, messageId: message.id },
  })
}
