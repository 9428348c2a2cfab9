import { Type, type Static } from '@fastify/type-provider-typebox'
import type { Currency } from '../../../common/money.js'
import { CurrencyCode } from '../../http/schemas.js'

// A leaf file (TypeBox only): app.ts hands `Reputation` to the accounts module as a public profile field.

const Money = Type.Object({ currency: Type.String(), amount: Type.Integer({ description: 'Integer minor units' }) })
const Score = Type.Union([Type.Number({ description: '0.00-5.00' }), Type.Null()])

export const RatingSummary = Type.Object(
  {
    score: Score,
    /** Contracts that ended at or after this instant count. */
    windowStart: Type.String({ format: 'date-time' }),
    byCurrency: Type.Array(
      Type.Object({
        currency: Type.String(),
        /** Rated contracts with money paid (weight > 0). */
        contracts: Type.Integer(),
        /** Σ money paid on the rated contracts (the weights). */
        amount: Type.Integer(),
        /** Earnings-weighted average of the scores, rounded half up to 0.01 (null: no money paid). */
        average: Score,
      }),
    ),
    /** Every revealed feedback in the window with its weight: the formula's whole input. */
    inputs: Type.Array(
      Type.Object({
        contractId: Type.String(),
        endedAt: Type.String({ format: 'date-time' }),
        currency: Type.String(),
        /** Money paid on the contract (gross, paid invoices): the weight. */
        amount: Type.Integer(),
        score: Type.Number(),
      }),
    ),
  },
  { description: 'Earnings-weighted feedback score over the window (docs/reputation.md)' },
)

export const Reputation = Type.Object(
  {
    /** Where the formula is written down, and its version (bumped whenever it changes). */
    formula: Type.String(),
    formulaVersion: Type.Integer(),
    computedAt: Type.String({ format: 'date-time' }),
    windowDays: Type.Integer(),
    freelancer: Type.Object({
      rating: RatingSummary,
      /** Contracts started as freelancer (offer accepted), all time. */
      contracts: Type.Integer(),
      /** Contracts started as freelancer and ended since, all time (docs/profiles.md). */
      completedContracts: Type.Integer(),
      totalEarned: Type.Array(Money, { description: 'Gross paid invoices per currency, all time; never converted' }),
      milestones: Type.Object({
        /** Released or refunded (out of escrow for good). */
        finished: Type.Integer(),
        releasedWithoutDispute: Type.Integer(),
        /** releasedWithoutDispute / finished in percent, rounded half up to 0.01 (null: none finished). */
        sharePercent: Type.Union([Type.Number(), Type.Null()]),
      }),
    }),
    client: Type.Object({
      rating: RatingSummary,
      jobsPosted: Type.Integer(),
      jobsWithHire: Type.Integer(),
      /** Contracts started as client and ended since, all time. */
      completedContracts: Type.Integer(),
      /** jobsWithHire / jobsPosted in percent, rounded half up to 0.01 (null: no job posted). */
      hireRatePercent: Type.Union([Type.Number(), Type.Null()]),
      totalSpent: Type.Array(Money, { description: 'Gross paid invoices per currency, all time; never converted' }),
      approvals: Type.Object({
        count: Type.Integer(),
        /** Mean days from milestone submission to approval (or auto-release), rounded half up to 0.01. */
        averageDays: Type.Union([Type.Number(), Type.Null()]),
      }),
      disputes: Type.Object({ resolved: Type.Integer(), lost: Type.Integer() }),
    }),
  },
  { description: 'Reputation by the open formula of docs/reputation.md, with its inputs' },
)
export type ReputationDto = Static<typeof Reputation>

export const FreelancerHit = Type.Object({
  id: Type.String(),
  name: Type.String(),
  headline: Type.Union([Type.String(), Type.Null()]),
  skills: Type.Array(Type.String()),
  hourlyRate: Type.Union([Type.Integer(), Type.Null()]),
  rateCurrency: Type.String(),
  score: Score,
  /** Rated contracts (with money paid) behind the score. */
  ratedContracts: Type.Integer(),
})
export type FreelancerHitDto = Static<typeof FreelancerHit>

export const FreelancerPage = Type.Object({
  items: Type.Array(FreelancerHit),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const FreelancerSearchQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({ maxLength: 200, description: 'Words in the name, headline or bio (web search syntax)' }),
    ),
    name: Type.Optional(
      Type.String({
        maxLength: 100,
        description: 'As typed in a picker: freelancers with a word of the name, or a skill, starting with this',
      }),
    ),
    skills: Type.Optional(
      Type.Array(Type.String({ maxLength: 500 }), {
        maxItems: 20,
        description: 'Freelancers having all these skills: repeat the parameter or separate with commas',
      }),
    ),
    currency: Type.Optional(
      Type.Unsafe<Currency>({
        ...CurrencyCode,
        description: 'Only rates in this currency (rates are never converted)',
      }),
    ),
    sort: Type.Optional(
      Type.Union([Type.Literal('reputation'), Type.Literal('rate')], {
        description: 'reputation (highest first, default) or rate (lowest first)',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
)
export type FreelancerSearchInput = Static<typeof FreelancerSearchQuery>
