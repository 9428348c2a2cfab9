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
 * (docs/notifications.md, "Messages"). Runs after the messages' activity entries, which lock
 * the workroom: concurrent messages of one thread are checked one after another. `messages`
 * were just inserted, in order: a recipient's first message of a thread in them is their
 * first unread one when they have nothing unread in that thread besides these.
 */
export async function noticeMessages(
  deps: MessageNoticeDeps,
  tx: Transaction,
  input: {
    messages: MessageRow[]
    /** A thread's two parties (a batch may span workrooms, each with its client). */
    partiesOf: (threadId: string) => { clientId: string; freelancerId: string }
  },
): Promise<void> {
  const recipientOf = (message: MessageRow) => {
    const { clientId, freelancerId } = input.partiesOf(message.threadId)
    return message.authorId === clientId ? freelancerId : clientId
  }
  // Each thread's first message of this batch for each recipient (they are in order).
  const first = new Map<string, { message: MessageRow; recipient: string }>()
  for (const message of input.messages) {
    const recipient = recipientOf(message)
    const key = `${recipient} ${message.threadId}`
    if (!first.has(key)) first.set(key, { message, recipient })
  }
  const announced = await createMessagesRepository(tx).threadsWithOtherUnread(
    [...first.values()].map(({ message, recipient }) => ({ threadId: message.threadId, userId: recipient })),
    input.messages.map((message) => message.id),
  )
  for (const [key, { message, recipient }] of first)
    if (!announced.has(key)) await noticeOne(deps, tx, message, recipient)
}

async function noticeOne(deps: MessageNoticeDeps, tx: Transaction, message: MessageRow, recipient: string) {
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
