import { Type } from 'typebox'

// The webhook outbox's settings (docs/webhooks.md), spread into the config schema in
// `config.schema.ts`, which reads and documents them with the others.
const day = 24 * 3600 * 1000

export const webhookSettings = {
  webhookPollMs: Type.Integer({
    env: 'WEBHOOK_POLL_MS',
    default: 1000,
    minimum: 0,
    maximum: day,
    description: 'How often the webhook outbox is drained (sent, retried); 0 disables sending from this instance.',
  }),
  webhookTimeoutMs: Type.Integer({
    env: 'WEBHOOK_TIMEOUT_MS',
    default: 10_000,
    minimum: 100,
    maximum: 60_000,
    description: 'How long one webhook delivery attempt may take (connect, send, answer) before it counts as failed.',
  }),
  webhookDisableAfterFailures: Type.Integer({
    env: 'WEBHOOK_DISABLE_AFTER_FAILURES',
    default: 20,
    minimum: 1,
    maximum: 1000,
    description:
      'Failed webhook attempts in a row (no 2xx in between) after which the endpoint is disabled and its owner told.',
  }),
  webhookAllowPrivate: Type.Boolean({
    env: 'WEBHOOK_ALLOW_PRIVATE',
    default: false,
    description:
      'Let webhooks reach loopback, private, link-local and other non-public addresses (only for a closed network or tests).',
  }),
}
