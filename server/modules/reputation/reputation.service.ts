import type { Database, Executor } from '../../../db/client.js'
import { DAY, type Clock } from '../../clock.js'
import { decodeCursor, encodeCursor, isUuid } from '../../http/page-cursor.js'
import { normalizeSkills } from '../jobs/index.js'
import { toJsonAmount } from '../ledger/index.js'
import {
  createReputationRepository,
  searchFreelancers,
  type FreelancerHit,
  type SubjectRole,
} from './reputation.repository.js'
import type { FreelancerSearchInput, ReputationDto } from './reputation.schemas.js'

/** Where the formula is written down; bump the version with every change to it. */
export const FORMULA = 'docs/reputation.md'
export const FORMULA_VERSION = 1

/** round(numerator / denominator), halves up, exactly (both ≥ 0, denominator > 0). */
export const roundHalfUp = (numerator: bigint, denominator: bigint): bigint =>
  (2n * numerator + denominator) / (2n * denominator)

/** A ratio as a percent with two decimals, or null when there is nothing to divide by. */
const percent = (part: number, whole: number): number | null =>
  whole > 0 ? Number(roundHalfUp(BigInt(part) * 10_000n, BigInt(whole))) / 100 : null

const hundredths = (value: number | null): number | null => (value === null ? null : value / 100)

const money = (rows: Array<{ currency: string; amount: bigint }>) =>
  rows.map((row) => ({ currency: row.currency, amount: toJsonAmount(row.amount) }))

/**
 * Reputation by the open formula of docs/reputation.md, computed when asked (never cached,
 * so it is always what the public rows say). The score itself comes from one SQL query
 * (`scores` in the repository) shared with the freelancer search.
 */
export function createReputationService(deps: {
  db: Database
  clock: Clock
  settings: { reputationWindowDays: number }
}) {
  const { db, clock, settings } = deps
  const windowAt = (now: Date) => ({ now, since: new Date(now.getTime() - settings.reputationWindowDays * DAY) })

  async function rating(executor: Executor, userId: string, role: SubjectRole, now: Date) {
    const repository = createReputationRepository(executor)
    const window = { role, userId, ...windowAt(now) }
    const [score, byCurrency, inputs] = [
      await repository.score(window),
      await repository.byCurrency(window),
      await repository.rated(window),
    ]
    return {
      score: hundredths(score?.score ?? null),
      windowStart: window.since.toISOString(),
      byCurrency: byCurrency.map((row) => ({
        currency: row.currency,
        contracts: row.contracts,
        amount: toJsonAmount(row.weight),
        average: hundredths(row.average),
      })),
      inputs: inputs.map((row) => ({
        contractId: row.contractId,
        endedAt: row.endedAt.toISOString(),
        currency: row.currency,
        amount: toJsonAmount(row.weight),
        score: row.score / 100,
      })),
    }
  }

  return {
    /** The whole reputation of one account, both as freelancer and as client, with its inputs. */
    async forUser(userId: string, executor: Executor = db): Promise<ReputationDto> {
      const now = clock.now()
      const repository = createReputationRepository(executor)
      // One query at a time: PGlite has one connection, and a transaction's executor takes no parallel queries.
      const freelancerRating = await rating(executor, userId, 'freelancer', now)
      const asFreelancer = await repository.contractCounts(userId, 'freelancer')
      const earned = await repository.paidTotals(userId, 'freelancer')
      const milestones = await repository.milestoneOutcomes(userId)
      const clientRating = await rating(executor, userId, 'client', now)
      const hires = await repository.hires(userId)
      const asClient = await repository.contractCounts(userId, 'client')
      const spent = await repository.paidTotals(userId, 'client')
      const approvals = await repository.approvals(userId)
      const disputes = await repository.disputes(userId)
      return {
        formula: FORMULA,
        formulaVersion: FORMULA_VERSION,
        computedAt: now.toISOString(),
        windowDays: settings.reputationWindowDays,
        freelancer: {
          rating: freelancerRating,
          contracts: asFreelancer.started,
          completedContracts: asFreelancer.completed,
          totalEarned: money(earned),
          milestones: { ...milestones, sharePercent: percent(milestones.releasedWithoutDispute, milestones.finished) },
        },
        client: {
          rating: clientRating,
          jobsPosted: hires.posted,
          jobsWithHire: hires.hired,
          completedContracts: asClient.completed,
          hireRatePercent: percent(hires.hired, hires.posted),
          totalSpent: money(spent),
          approvals: {
            count: approvals.count,
            averageDays:
              approvals.count > 0
                ? Number(roundHalfUp(approvals.totalMs * 100n, BigInt(approvals.count) * BigInt(DAY))) / 100
                : null,
          },
          disputes,
        },
      }
    },

    /** One score (0.00-5.00, null without rated paid work), e.g. right after a reveal inside its transaction. */
    async scoreOf(executor: Executor, userId: string, role: SubjectRole): Promise<number | null> {
      const score = await createReputationRepository(executor).score({ role, userId, ...windowAt(clock.now()) })
      return hundredths(score?.score ?? null)
    },

    async search(query: FreelancerSearchInput): Promise<{ items: FreelancerHit[]; nextCursor: string | null }> {
      const limit = query.limit ?? 20
      const sort = query.sort ?? 'reputation'
      const after = query.cursor
        ? decodeCursor(query.cursor, (v) =>
            v.s === sort && Number.isSafeInteger(v.v) && isUuid(v.i) ? { value: v.v as number, id: v.i } : null,
          )
        : null
      const rows = await searchFreelancers(db, {
        q: query.q?.trim() || null,
        name: query.name?.trim() || null,
        skills: normalizeSkills((query.skills ?? []).flatMap((s) => s.split(','))),
        currency: query.currency,
        window: windowAt(clock.now()),
        order:
          sort === 'reputation'
            ? { sort, after: after && { score: after.value, id: after.id } }
            : { sort, after: after && { rate: after.value, id: after.id } },
        limit: limit + 1,
      })
      const items = rows.slice(0, limit)
      const last = items.at(-1)
      const key = (hit: FreelancerHit) =>
        sort === 'reputation' ? (hit.score ?? -1) : (hit.hourlyRate ?? Number.MAX_SAFE_INTEGER)
      return {
        items,
        nextCursor: rows.length > limit && last ? encodeCursor({ s: sort, v: key(last), i: last.id }) : null,
      }
    },
  }
}

export type ReputationService = ReturnType<typeof createReputationService>
