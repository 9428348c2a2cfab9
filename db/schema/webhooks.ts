import { sql } from 'drizzle-orm'
import {
  check,
  index,
  integer,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core'
import { usersTable } from './accounts.js'

/**
 * A URL that receives signed events. `ownerId` is the user who registered it; `scope` is
 * `user` (events whose recipients include the owner) or `instance` (an operator's endpoint:
 * every event once). `secret` signs each delivery (HMAC-SHA256); it is shown once, at
 * creation or rotation. `disabledAt`/`disabledReason`: disabled by its owner (`manual`) or
 * after a run of consecutive failed deliveries (`failing`); `consecutiveFailures` counts the
 * deliveries that gave up or failed in a row and resets on a 2xx.
 */
export const webhookEndpointsTable = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => usersTable.id, { onDelete: 'cascade' }),
    scope: varchar('scope', { length: 8 }).notNull(),
    url: text('url').notNull(),
    description: varchar('description', { length: 200 }).notNull().default(''),
    eventTypes: text('event_types').array().notNull(),
    secret: varchar('secret', { length: 80 }).notNull(),
    disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'date' }),
    disabledReason: varchar('disabled_reason', { length: 16 }),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    index('webhook_endpoints_owner_idx').on(table.ownerId, table.createdAt),
    index('webhook_endpoints_instance_idx')
      .on(table.scope)
      .where(sql`${table.disabledAt} is null`),
    check('webhook_endpoints_scope_check', sql`${table.scope} in ('user', 'instance')`),
    check(
      'webhook_endpoints_disabled_check',
      sql`(${table.disabledAt} is null) = (${table.disabledReason} is null) and (${table.disabledReason} is null or ${table.disabledReason} in ('manual', 'failing'))`,
    ),
  ],
)

/**
 * The outbox: one row per (endpoint, event), written in the event's transaction and drained
 * by the delivery loop (claimed with FOR UPDATE SKIP LOCKED: once across instances). `body`
 * is the exact JSON sent (the signature covers these bytes). `status`: `pending` (due at
 * `nextAttemptAt`), `delivered` (a 2xx acknowledged it), `failed` (gave up after 3 days, or
 * the endpoint was disabled). A redelivery puts the same row back to `pending`.
 */
export const webhookDeliveriesTable = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey(),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpointsTable.id, { onDelete: 'cascade' }),
    eventId: uuid('event_id').notNull(),
    eventType: varchar('event_type', { length: 64 }).notNull(),
    body: text('body').notNull(),
    status: varchar('status', { length: 10 }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull(),
    lastStatusCode: smallint('last_status_code'),
    lastDurationMs: integer('last_duration_ms'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** The first attempt of the current run (a redelivery starts a new run): backoff gives up 3 days after it. */
    runStartedAt: timestamp('run_started_at', { withTimezone: true, mode: 'date' }).notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [
    uniqueIndex('webhook_deliveries_endpoint_event_idx').on(table.endpointId, table.eventId),
    index('webhook_deliveries_due_idx')
      .on(table.nextAttemptAt)
      .where(sql`${table.status} = 'pending'`),
    index('webhook_deliveries_endpoint_idx').on(table.endpointId, table.createdAt),
    check('webhook_deliveries_status_check', sql`${table.status} in ('pending', 'delivered', 'failed')`),
  ],
)

/** Every attempt to send a delivery: when, the answer's status code (null: no answer), how long, why it failed. */
export const webhookAttemptsTable = pgTable(
  'webhook_attempts',
  {
    id: uuid('id').primaryKey(),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => webhookDeliveriesTable.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    statusCode: smallint('status_code'),
    durationMs: integer('duration_ms').notNull(),
    error: text('error'),
  },
  (table) => [index('webhook_attempts_delivery_idx').on(table.deliveryId, table.attempt)],
)
