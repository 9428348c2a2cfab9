import { Type, type Static } from '@fastify/type-provider-typebox'
import { CurrencyCode, PageQuery } from '../../http/schemas.js'

/** Money in integer minor units (cents); at most 10^12 so sums stay exact in JS numbers. */
export const Amount = Type.Integer({
  minimum: 0,
  maximum: 1_000_000_000_000,
  description: 'Integer minor units of the currency',
})

export const Arrangement = Type.Union([Type.Literal('fixed'), Type.Literal('hourly')])
export const Visibility = Type.Union([Type.Literal('public'), Type.Literal('invite-only')])
export const JobState = Type.Union([
  Type.Literal('draft'),
  Type.Literal('open'),
  Type.Literal('closed'),
  Type.Literal('awarded'),
  Type.Literal('cancelled'),
])

const Title = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })
const Description = Type.String({ minLength: 1, maxLength: 20_000, pattern: '\\S' })
const Category = Type.String({ minLength: 1, maxLength: 64, pattern: '\\S' })
const Skills = Type.Array(Type.String({ minLength: 1, maxLength: 50, pattern: '\\S' }), {
  maxItems: 20,
  description: 'Tags; stored lower-cased and de-duplicated',
})
const Deadline = Type.String({
  format: 'date-time',
  description: 'Proposals close at this instant (must be in the future)',
})

export const CreateJobBody = Type.Object(
  {
    title: Title,
    description: Description,
    category: Type.Optional(Type.Union([Category, Type.Null()])),
    skills: Type.Optional(Skills),
    arrangement: Arrangement,
    currency: CurrencyCode,
    budgetMin: Type.Optional(Amount),
    budgetMax: Type.Optional(Amount),
    rateMin: Type.Optional(Amount),
    rateMax: Type.Optional(Amount),
    visibility: Type.Optional(Visibility),
    proposalDeadline: Type.Optional(Type.Union([Deadline, Type.Null()])),
  },
  { additionalProperties: false },
)

/** Any of the fields of a new job, at least one. */
export const UpdateJobBody = Type.Partial(CreateJobBody, { additionalProperties: false, minProperties: 1 })

export const Job = Type.Object({
  id: Type.String(),
  workroomId: Type.String(),
  clientId: Type.String(),
  title: Type.String(),
  description: Type.String(),
  category: Type.Union([Type.String(), Type.Null()]),
  skills: Type.Array(Type.String()),
  arrangement: Arrangement,
  currency: Type.String(),
  budgetMin: Type.Union([Type.Integer(), Type.Null()]),
  budgetMax: Type.Union([Type.Integer(), Type.Null()]),
  rateMin: Type.Union([Type.Integer(), Type.Null()]),
  rateMax: Type.Union([Type.Integer(), Type.Null()]),
  visibility: Visibility,
  proposalDeadline: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  state: JobState,
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  publishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  closedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})
export type JobDto = Static<typeof Job>

export const JobPage = Type.Object({ items: Type.Array(Job), nextCursor: Type.Union([Type.String(), Type.Null()]) })

export const JobSearchQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        maxLength: 200,
        description: 'Words, "phrases", or, -excluded (web search syntax) over title and description',
      }),
    ),
    skills: Type.Optional(
      Type.Array(Type.String({ maxLength: 500 }), {
        maxItems: 20,
        description: 'Jobs having all these skills: repeat the parameter or separate with commas',
      }),
    ),
    arrangement: Type.Optional(Arrangement),
    currency: Type.Optional(CurrencyCode),
    category: Type.Optional(Type.String({ maxLength: 64 })),
    minBudget: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1_000_000_000_000,
        description: 'Budget (fixed) or rate (hourly) range reaches at least this',
      }),
    ),
    maxBudget: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1_000_000_000_000,
        description: 'Budget (fixed) or rate (hourly) range starts at most at this',
      }),
    ),
    postedSince: Type.Optional(Type.String({ format: 'date-time' })),
    sort: Type.Optional(
      Type.Union([Type.Literal('relevance'), Type.Literal('recent')], {
        description: 'Default: relevance with q, else recent',
      }),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
)
export type JobSearchInput = Static<typeof JobSearchQuery>

export const MyJobsQuery = Type.Object(
  { state: Type.Optional(JobState), ...PageQuery },
  { additionalProperties: false },
)

export const InviteBody = Type.Object(
  { freelancerId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
)
export const Invite = Type.Object({
  jobId: Type.String(),
  freelancerId: Type.String(),
  invitedBy: Type.String(),
  threadId: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
})
export type InviteDto = Static<typeof Invite>
