import { sql, type SQL } from 'drizzle-orm'
import { queryRows, type Executor } from '../../../db/client.js'

export type SubjectRole = 'freelancer' | 'client'

/**
 * Every query of the formula in docs/reputation.md. The score is computed by the database
 * in one place (`scores`), used both by the profile and by the search that sorts on it, so
 * the two can never disagree. Integers travel as text (numeric sums exceed 2^53 in theory)
 * and times as epoch milliseconds, so both drivers read them alike.
 */

/** Amount paid on a contract: its invoices (not credit notes) in state `paid`, gross. */
const paidOn = (contractId: SQL) =>
  sql`coalesce((select sum(i.total) from invoices i where i.contract_id = ${contractId} and i.kind = 'invoice' and i.state = 'paid'), 0)`

export interface ScoreWindow {
  role: SubjectRole
  /** Contracts that ended at or after this instant count. */
  since: Date
  now: Date
  /** Only this user (the profile); all users when absent (the search). */
  userId?: string
}

/** One row per revealed feedback about `role` on a contract that ended in the window, weighted by the money paid on it. */
function rated(window: ScoreWindow): SQL {
  return sql`
    select f.subject_id, f.contract_id, w.opened_at as ended_at, c.currency, f.score, ${paidOn(sql`f.contract_id`)} as weight
    from feedback f
    join feedback_windows w on w.contract_id = f.contract_id
    join contracts c on c.id = f.contract_id
    where f.subject_role = ${window.role}
      and w.opened_at >= ${window.since.toISOString()}::timestamptz
      and (w.revealed_at is not null or w.closes_at <= ${window.now.toISOString()}::timestamptz)
      ${window.userId ? sql`and f.subject_id = ${window.userId}::uuid` : sql``}`
}

/** Per user and currency: n = contracts with money paid, w = Σ weight, p = Σ weight × score, and the rounded average. */
function byCurrency(window: ScoreWindow): SQL {
  return sql`
    select subject_id, currency, count(*) filter (where weight > 0) as n, sum(weight) as w, sum(weight * score) as p,
      case when sum(weight) > 0 then div(2 * sum(weight * score) + sum(weight), 2 * sum(weight)) end as average
    from (${rated(window)}) rated
    group by subject_id, currency`
}

/** Per user: the currencies' averages weighted by their n, rounded half up; no row without any money paid. */
export function scores(window: ScoreWindow): SQL {
  return sql`
    select subject_id, div(2 * sum(n * average) + sum(n), 2 * sum(n)) as score, sum(n) as n
    from (${byCurrency(window)}) by_currency
    where w > 0
    group by subject_id`
}

export interface RatedRow {
  contractId: string
  endedAt: Date
  currency: string
  score: number
  weight: bigint
}

const big = (value: unknown): bigint => BigInt(String(value ?? 0))
const int = (value: unknown): number => Number(String(value ?? 0))
const ms = (value: unknown): Date => new Date(Number(String(value)))

export function createReputationRepository(db: Executor) {
  return {
    async rated(window: ScoreWindow & { userId: string }): Promise<RatedRow[]> {
      const rows = await queryRows<Record<string, unknown>>(
        db,
        sql`select contract_id, (extract(epoch from ended_at) * 1000)::bigint::text as ended_ms, currency, score, weight::text as weight
            from (${rated(window)}) rated order by ended_at desc, contract_id`,
      )
      return rows.map((row) => ({
        contractId: String(row.contract_id),
        endedAt: ms(row.ended_ms),
        currency: String(row.currency),
        score: int(row.score),
        weight: big(row.weight),
      }))
    },

    async byCurrency(window: ScoreWindow & { userId: string }) {
      const rows = await queryRows<Record<string, unknown>>(
        db,
        sql`select currency, n::text as n, w::text as w, average::text as average from (${byCurrency(window)}) by_currency order by currency`,
      )
      return rows.map((row) => ({
        currency: String(row.currency),
        contracts: int(row.n),
        weight: big(row.w),
        average: row.average === null ? null : int(row.average),
      }))
    },

    async score(window: ScoreWindow & { userId: string }): Promise<{ score: number; contracts: number } | null> {
      const [row] = await queryRows<Record<string, unknown>>(
        db,
        sql`select score::text as score, n::text as n from (${scores(window)}) scores`,
      )
      return row ? { score: int(row.score), contracts: int(row.n) } : null
    },

    /**
     * Contracts this user started (the offer was accepted) and completed (started, then
     * ended), all time, on one side. An offer declined or left to expire never started; a
     * contract still active, paused or ending is not completed yet.
     */
    async contractCounts(userId: string, side: SubjectRole): Promise<{ started: number; completed: number }> {
      const column = side === 'freelancer' ? sql`freelancer_id` : sql`client_id`
      const [row] = await queryRows<Record<string, unknown>>(
        db,
        sql`select count(*)::text as started, count(*) filter (where state = 'ended')::text as completed
            from contracts where ${column} = ${userId}::uuid and accepted_at is not null`,
      )
      return { started: int(row?.started), completed: int(row?.completed) }
    },

    /** Σ paid invoices per currency, all time, as the freelancer (earned) or the client (spent). */
    async paidTotals(userId: string, side: SubjectRole): Promise<Array<{ currency: string; amount: bigint }>> {
      const column = side === 'freelancer' ? sql`freelancer_id` : sql`client_id`
      const rows = await queryRows<Record<string, unknown>>(
        db,
        sql`select currency, sum(total)::text as amount from invoices
            where ${column} = ${userId}::uuid and kind = 'invoice' and state = 'paid'
            group by currency order by currency`,
      )
      return rows.map((row) => ({ currency: String(row.currency), amount: big(row.amount) }))
    },

    /** The freelancer's milestones out of escrow for good (released or refunded), and those released without any dispute. */
    async milestoneOutcomes(userId: string): Promise<{ finished: number; releasedWithoutDispute: number }> {
      const [row] = await queryRows<Record<string, unknown>>(
        db,
        sql`select count(*) filter (where m.state in ('released', 'refunded'))::text as finished,
                   count(*) filter (where m.state = 'released' and not exists (select 1 from disputes d where d.milestone_id = m.id))::text as clean
            from milestones m join contracts c on c.id = m.contract_id
            where c.freelancer_id = ${userId}::uuid`,
      )
      return { finished: int(row?.finished), releasedWithoutDispute: int(row?.clean) }
    },

    /** The client's jobs ever published, and those with a hire (an offer the freelancer accepted). */
    async hires(userId: string): Promise<{ posted: number; hired: number }> {
      const [row] = await queryRows<Record<string, unknown>>(
        db,
        sql`select count(*)::text as posted,
                   count(*) filter (where exists (select 1 from contracts c where c.job_id = j.id and c.accepted_at is not null))::text as hired
            from jobs j where j.client_id = ${userId}::uuid and j.published_at is not null`,
      )
      return { posted: int(row?.posted), hired: int(row?.hired) }
    },

    /** Submissions the client approved (or let auto-release) and the total wait, in milliseconds. */
    async approvals(userId: string): Promise<{ count: number; totalMs: bigint }> {
      const [row] = await queryRows<Record<string, unknown>>(
        db,
        sql`select count(*)::text as n,
                   coalesce(sum((extract(epoch from s.reviewed_at) * 1000)::bigint - (extract(epoch from s.created_at) * 1000)::bigint), 0)::text as total
            from milestone_submissions s
            join milestones m on m.id = s.milestone_id
            join contracts c on c.id = m.contract_id
            where c.client_id = ${userId}::uuid and s.outcome in ('approved', 'auto_released') and s.reviewed_at is not null`,
      )
      return { count: int(row?.n), totalMs: big(row?.total) }
    },

    /**
     * Disputes on the client's contracts that ended without agreement (an operator's decision,
     * or a side's silence), and those of them the client lost: the freelancer got more than
     * half of what was in dispute. Milestone disputes and timesheet disputes both count.
     */
    async disputes(userId: string): Promise<{ resolved: number; lost: number }> {
      const [row] = await queryRows<Record<string, unknown>>(
        db,
        sql`select
              (select count(*) from disputes d join contracts c on c.id = d.contract_id
                where c.client_id = ${userId}::uuid and d.state = 'resolved')
            + (select count(*) from timesheet_disputes t join contracts c on c.id = t.contract_id
                where c.client_id = ${userId}::uuid and t.state = 'resolved') as resolved,
              (select count(*) from disputes d join contracts c on c.id = d.contract_id
                where c.client_id = ${userId}::uuid and d.state = 'resolved' and d.resolution in ('decided', 'lapsed')
                  and d.freelancer_amount * 2 > d.held_amount)
            + (select count(*) from timesheet_disputes t join contracts c on c.id = t.contract_id
                where c.client_id = ${userId}::uuid and t.state = 'resolved' and t.resolved_by = 'operator'
                  and t.resolved_minutes * 2 > t.disputed_minutes) as lost`,
      )
      return { resolved: int(row?.resolved), lost: int(row?.lost) }
    },
  }
}

export type ReputationRepository = ReturnType<typeof createReputationRepository>

/** The public profile text the search matches; identical to the index expression of migration `feedback_rules`. */
const profileDocument = sql`to_tsvector('english', u.name || ' ' || coalesce(u.headline, '') || ' ' || coalesce(u.bio, ''))`

/** No rate sorts after every rate. */
const NO_RATE = 9_007_199_254_740_991

export interface FreelancerSearch {
  q: string | null
  /** A picker's text: a word of the name, or a skill, starts with it. */
  name?: string | null
  skills: string[]
  currency?: string
  window: Omit<ScoreWindow, 'role' | 'userId'>
  order:
    | { sort: 'reputation'; after: { score: number; id: string } | null }
    | { sort: 'rate'; after: { rate: number; id: string } | null }
  limit: number
}

export interface FreelancerHit {
  id: string
  name: string
  headline: string | null
  skills: string[]
  hourlyRate: number | null
  rateCurrency: string
  /** Hundredths; null without any rated contract with money paid. */
  score: number | null
  ratedContracts: number
}

/**
 * Accounts that present themselves as freelancers (a skill or an hourly rate), matching the
 * words and skills, ordered by score (none last) or by rate (lowest first, none last), then
 * id, so a cursor resumes exactly after the last hit.
 */
export async function searchFreelancers(db: Executor, input: FreelancerSearch): Promise<FreelancerHit[]> {
  const score = sql`coalesce(s.score, -1)::int`
  const rate = sql`coalesce(u.hourly_rate, ${NO_RATE})::bigint`
  const conditions: SQL[] = [sql`u.role = 'user'`, sql`(cardinality(u.skills) > 0 or u.hourly_rate is not null)`]
  if (input.q) conditions.push(sql`${profileDocument} @@ websearch_to_tsquery('english', ${input.q})`)
  if (input.name) {
    // As typed in a picker: a word of the name, or a skill, starting with the text (LIKE's wildcards escaped).
    const prefix = input.name.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)
    conditions.push(
      sql`(lower(u.name) like ${`${prefix}%`} or lower(u.name) like ${`% ${prefix}%`} or exists (select 1 from unnest(u.skills) k where k like ${`${prefix}%`}))`,
    )
  }
  if (input.skills.length)
    conditions.push(
      sql`u.skills @> array[${sql.join(
        input.skills.map((s) => sql`${s}`),
        sql`, `,
      )}]::text[]`,
    )
  if (input.currency) conditions.push(sql`u.rate_currency = ${input.currency}`)
  let orderBy: SQL
  if (input.order.sort === 'reputation') {
    orderBy = sql`${score} desc, u.id desc`
    if (input.order.after)
      conditions.push(sql`(${score}, u.id) < (${input.order.after.score}::int, ${input.order.after.id}::uuid)`)
  } else {
    orderBy = sql`${rate} asc, u.id asc`
    if (input.order.after)
      conditions.push(sql`(${rate}, u.id) > (${input.order.after.rate}::bigint, ${input.order.after.id}::uuid)`)
  }
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select u.id, u.name, u.headline, array_to_json(u.skills)::text as skills, u.hourly_rate::text as hourly_rate, u.rate_currency, s.score::text as score, s.n::text as n
        from users u
        left join (${scores({ role: 'freelancer', ...input.window })}) s on s.subject_id = u.id
        where ${sql.join(conditions, sql` and `)}
        order by ${orderBy}
        limit ${input.limit}`,
  )
  return rows.map((row) => ({
    id: String(row.id),
    name: String(row.name),
    headline: row.headline === null ? null : String(row.headline),
    skills: JSON.parse(String(row.skills)) as string[],
    hourlyRate: row.hourly_rate === null ? null : Number(row.hourly_rate),
    rateCurrency: String(row.rate_currency),
    score: row.score === null ? null : int(row.score),
    ratedContracts: row.n === null ? 0 : int(row.n),
  }))
}
