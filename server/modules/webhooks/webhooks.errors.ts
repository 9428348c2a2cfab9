import { defineErrors } from '../../http/errors.js'

export const webhookErrors = defineErrors({
  notFound: [404, 'webhooks.not_found', 'Webhook endpoint not found'],
  deliveryNotFound: [404, 'webhooks.delivery_not_found', 'Delivery not found'],
  instanceScopeForOperators: [
    403,
    'webhooks.operators_only',
    'Only an operator may register an instance-wide endpoint',
  ],
  badUrl: [400, 'webhooks.bad_url', 'The URL is not a valid https:// or http:// address'],
  targetRefused: [400, 'webhooks.target_refused', 'Webhooks go only to public addresses'],
  unknownEventType: [400, 'webhooks.unknown_event_type', 'This is not an event type'],
  tooMany: [409, 'webhooks.too_many', 'You have as many webhook endpoints as one account may have'],
  alreadyPending: [409, 'webhooks.already_pending', 'This delivery is already waiting to be sent'],
})
