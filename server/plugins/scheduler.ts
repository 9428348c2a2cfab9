import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm'
import fp from 'fastify-plugin'
import type { Database, Executor, Transaction } from '../../db/client.js'
import { deadlinesTable } from '../../db/schema/index.js'
import type { Clock } from '../clock.js'
import type { IdGenerator } from '../ids.js'

export interface Deadline {
  id: string
  kind: string
  subject: string
  dueAt: Date
  payload: unknown
}

export interface DeadlineContext {
  /** Runs after the transaction committed (push events, refresh live documents); errors are logged. */
  afterCommit(fn: () => unknown): void
}

/** Runs inside the transaction that marks the deadline done: its effects and "done" commit together. */
export type DeadlineHandler = (deadline: Deadline, tx: Transaction, context: DeadlineContext) => Promise<void>

/** What a reminder tells, and to whom: the one who must act before the deadline. */
export interface DeadlineReminder {
  userIds: string[]
  title: string
  link: string
  subject: { kind: string; id: string }
  workroomId?: string | null
  contractId?: string | null
  data?: Record<string, unknown>
}

export interface ReminderSpec {
  /** How long before the deadline the reminder is due (24 hours unless said). */
  leadMs?: number
  /** Read in the reminder's transaction; null when nobody needs reminding any more. */
  describe(deadline: Deadline, tx: Transaction): Promise<DeadlineReminder | null>
}

/** Where reminders go (the notifications module registers it); runs in the reminder's transaction. */
export type ReminderSink = (
  reminder: DeadlineReminder,
  deadline: Deadline,
  tx: Transaction,
  context: DeadlineContext,
) => Promise<void>

/** The deadline kind of reminders; the subject is `<kind>:<subject>` of the deadline reminded of. */
export const REMINDER_KIND = 'deadline.reminder'
export const DEFAULT_REMINDER_LEAD_MS = 24 * 60 * 60 * 1000

/**
 * Durable deadlines: rows in `deadlines`, claimed with FOR UPDATE SKIP LOCKED so each runs
 * once even with several instances, surviving restarts. Modules register a handler per
 * kind; time comes from the injectable clock, and tests call `runDue()` after moving it.
 */
export interface Scheduler {
  register(kind: string, handler: DeadlineHandler): void
  /** Creates or moves the deadline (kind, subject). */
  schedule(input: { kind: string; subject: string; dueAt: Date; payload?: unknown }, executor?: Executor): Promise<void>
  cancel(kind: string, subject: string, executor?: Executor): Promise<void>
  /**
   * Deadlines of this kind get a reminder `leadMs` before they are due: scheduling one
   * schedules (or moves) its reminder, cancelling it cancels the reminder, and a reminder
   * whose deadline was since done, cancelled or moved does nothing.
   */
  remindBefore(kind: string, spec: ReminderSpec): void
  /** The one place reminders are delivered to. */
  onReminder(sink: ReminderSink): void
  /**
   * Housekeeping (deleting what has expired): `job` runs in a pass of this instance's
   * scheduler when `periodMs` (by the clock) has gone by since it last ran, the first pass
   * included. Every instance runs it, so it must be safe to run on several at once; a failure
   * is logged and the job runs again in the next period.
   */
  every(name: string, periodMs: number, job: () => Promise<unknown>): void
  /** Runs every due deadline now, then the housekeeping due; returns how many deadlines ran (reminders run too but are not counted). */
  runDue(): Promise<number>
  /** Resolves when no pass is running (shutdown waits for it before closing the database). */
  drain(): Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    scheduler: Scheduler
  }
}

export function createScheduler(deps: {
  db: Database
  clock: Clock
  ids: IdGenerator
  log: { error(obj: object, msg: string): void }
}): Scheduler {
  const { db, clock, ids, log } = deps
  const handlers = new Map<string, DeadlineHandler>()
  const reminders = new Map<string, ReminderSpec>()
  let reminderSink: ReminderSink | null = null
  const reminderSubject = (kind: string, subject: string) => `${kind}:${subject}`
  let running: Promise<number> | null = null
  const chores = new Map<string, { periodMs: number; job: () => Promise<unknown>; lastRun: number | null }>()

  async function runChores() {
    const now = clock.now().getTime()
    for (const [name, chore] of chores) {
      if (chore.lastRun !== null && now - chore.lastRun < chore.periodMs) continue
      chore.lastRun = now
      try {
        await chore.job()
      } catch (err) {
        log.error({ err, job: name }, 'housekeeping job failed; it runs again next period')
      }
    }
  }

  async function runOne(exclude: string[]): Promise<'ran' | 'reminded' | 'failed' | 'none'> {
    const kinds = [...handlers.keys()]
    if (kinds.length === 0) return 'none'
    let claimed: Deadline | undefined
    const afterCommit: Array<() => unknown> = []
    try {
      await db.transaction(async (tx) => {
        const conditions = [
          lte(deadlinesTable.dueAt, clock.now()),
          isNull(deadlinesTable.doneAt),
          isNull(deadlinesTable.cancelledAt),
          inArray(deadlinesTable.kind, kinds),
        ]
        if (exclude.length)
          conditions.push(
            sql`${deadlinesTable.id} not in (${sql.join(
              exclude.map((id) => sql`${id}::uuid`),
              sql`, `,
            )})`,
          )
        const [row] = await tx
          .select()
          .from(deadlinesTable)
          .where(and(...conditions))
          .orderBy(asc(deadlinesTable.dueAt))
          .limit(1)
          .for('no key update', { skipLocked: true })
        if (!row) return
        claimed = { id: row.id, kind: row.kind, subject: row.subject, dueAt: row.dueAt, payload: row.payload }
        await handlers.get(row.kind)!(claimed, tx, { afterCommit: (fn) => void afterCommit.push(fn) })
        await tx.update(deadlinesTable).set({ doneAt: clock.now() }).where(eq(deadlinesTable.id, row.id))
      })
    } catch (err) {
      if (!claimed) throw err
      const failed: Deadline = claimed
      log.error({ err, deadline: failed.id, kind: failed.kind }, 'deadline handler failed; will retry')
      // Retry later with backoff; the failed attempt rolled back completely.
      await db
        .update(deadlinesTable)
        .set({
          attempts: sql`${deadlinesTable.attempts} + 1`,
          lastError: err instanceof Error ? err.message.slice(0, 500) : 'error',
          dueAt: sql`${deadlinesTable.dueAt} + (least(${deadlinesTable.attempts} + 1, 10) * interval '1 minute')`,
        })
        .where(eq(deadlinesTable.id, failed.id))
      exclude.push(failed.id)
      return 'failed'
    }
    for (const fn of afterCommit) {
      try {
        await fn()
      } catch (err) {
        log.error({ err, kind: claimed?.kind }, 'after-commit action of a deadline failed')
      }
    }
    if (!claimed) return 'none'
    return (claimed as Deadline).kind === REMINDER_KIND ? 'reminded' : 'ran'
  }

  async function runAll(): Promise<number> {
    let ran = 0
    const failed: string[] = []
    for (;;) {
      const outcome = await runOne(failed)
      if (outcome === 'none') return ran
      if (outcome === 'ran') ran++
    }
  }

  handlers.set(REMINDER_KIND, async (reminder, tx, context) => {
    const { kind, subject, dueAt } = (reminder.payload ?? {}) as { kind?: string; subject?: string; dueAt?: string }
    const spec = kind ? reminders.get(kind) : undefined
    if (!spec || !reminderSink || typeof subject !== 'string' || typeof dueAt !== 'string') return
    const [row] = await tx
      .select()
      .from(deadlinesTable)
      .where(and(eq(deadlinesTable.kind, kind!), eq(deadlinesTable.subject, subject)))
      .limit(1)
    // Done, cancelled or moved since: this reminder is stale (a moved one has its own).
    if (!row || row.doneAt || row.cancelledAt || row.dueAt.getTime() !== new Date(dueAt).getTime()) return
    const deadline: Deadline = {
      id: row.id,
      kind: row.kind,
      subject: row.subject,
      dueAt: row.dueAt,
      payload: row.payload,
    }
    const described = await spec.describe(deadline, tx)
    if (described && described.userIds.length) await reminderSink(described, deadline, tx, context)
  })

  async function scheduleReminder(kind: string, subject: string, dueAt: Date, executor: Executor) {
    const spec = reminders.get(kind)
    if (!spec) return
    const remindAt = new Date(dueAt.getTime() - (spec.leadMs ?? DEFAULT_REMINDER_LEAD_MS))
    const reminder = reminderSubject(kind, subject)
    if (remindAt.getTime() <= clock.now().getTime()) {
      // Too close to remind ahead: a reminder left from an earlier date must not fire.
      await cancelRow(REMINDER_KIND, reminder, executor)
      return
    }
    await upsert(
      {
        kind: REMINDER_KIND,
        subject: reminder,
        dueAt: remindAt,
        payload: { kind, subject, dueAt: dueAt.toISOString() },
      },
      executor,
    )
  }

  async function upsert(
    { kind, subject, dueAt, payload }: { kind: string; subject: string; dueAt: Date; payload: unknown },
    executor: Executor,
  ) {
    await executor
      .insert(deadlinesTable)
      .values({ id: ids.newId(), kind, subject, dueAt, payload, createdAt: clock.now() })
      .onConflictDoUpdate({
        target: [deadlinesTable.kind, deadlinesTable.subject],
        set: { dueAt, payload, doneAt: null, cancelledAt: null, attempts: 0, lastError: null },
      })
  }

  async function cancelRow(kind: string, subject: string, executor: Executor) {
    await executor
      .update(deadlinesTable)
      .set({ cancelledAt: clock.now() })
      .where(and(eq(deadlinesTable.kind, kind), eq(deadlinesTable.subject, subject), isNull(deadlinesTable.doneAt)))
  }

  return {
    remindBefore(kind, spec) {
      if (reminders.has(kind)) throw new Error(`reminder for ${kind} registered twice`)
      reminders.set(kind, spec)
    },
    onReminder(sink) {
      if (reminderSink) throw new Error('a reminder sink is already registered')
      reminderSink = sink
    },
    register(kind, handler) {
      if (handlers.has(kind)) throw new Error(`deadline kind ${kind} registered twice`)
      handlers.set(kind, handler)
    },
    every(name, periodMs, job) {
      if (chores.has(name)) throw new Error(`housekeeping job ${name} registered twice`)
      chores.set(name, { periodMs, job, lastRun: null })
    },
    async schedule({ kind, subject, dueAt, payload = {} }, executor = db) {
      await upsert({ kind, subject, dueAt, payload }, executor)
      await scheduleReminder(kind, subject, dueAt, executor)
    },
    async cancel(kind, subject, executor = db) {
      await cancelRow(kind, subject, executor)
      if (reminders.has(kind)) await cancelRow(REMINDER_KIND, reminderSubject(kind, subject), executor)
    },
    runDue() {
      // One pass at a time per instance; a caller arriving meanwhile waits for it and then runs its own.
      const next = (running ?? Promise.resolve(0))
        .catch(() => 0)
        .then(async () => {
          const ran = await runAll()
          await runChores()
          return ran
        })
      running = next
      return next
    },
    async drain() {
      await running?.catch(() => 0)
    },
  }
}

export const schedulerPlugin = fp<{ clock: Clock; ids: IdGenerator; intervalMs: number }>(
  async (app, { clock, ids, intervalMs }) => {
    const scheduler = createScheduler({ db: app.db, clock, ids, log: app.log })
    app.decorate('scheduler', scheduler)
    let timer: NodeJS.Timeout | undefined
    if (intervalMs > 0) {
      const tick = () => {
        scheduler
          .runDue()
          .catch((err: unknown) => app.log.error({ err }, 'scheduler pass failed'))
          .finally(() => {
            if (timer) timer = setTimeout(tick, intervalMs).unref()
          })
      }
      app.addHook('onReady', async () => {
        timer = setTimeout(tick, intervalMs).unref()
      })
    }
    // preClose: before the database plugin's onClose closes the connection under a running pass.
    app.addHook('preClose', async () => {
      clearTimeout(timer)
      timer = undefined
      await scheduler.drain()
    })
  },
  { name: 'scheduler', dependencies: ['database'] },
)
