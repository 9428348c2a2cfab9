import { defineErrors } from '../../http/errors.js'

export const messageErrors = defineErrors({
  threadNotFound: [404, 'messages.thread_not_found', 'Thread not found'],
  emptyBody: [400, 'messages.empty_body', 'A message needs some text'],
  invalidAttachment: [
    400,
    'messages.invalid_attachment',
    'Attach only live files of this thread or shared with the whole workroom',
  ],
  unknownMessage: [400, 'messages.unknown_message', 'No such message in this thread'],
})
