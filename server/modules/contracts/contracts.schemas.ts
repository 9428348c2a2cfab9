import { Type, type Static } from '@fastify/type-provider-typebox'
import { PageQuery } from '../../http/schemas.js'

export const ContractState = Type.Union([
  Type.Literal('offered'),
  Type.Literal('active'),
  Type.Literal('paused'),
  Type.Literal('ending'),
  Type.Literal('ended'),
  Type.Literal('declined'),
  Type.Literal('expired'),
])

export const InitialTerms = Type.Object(
  {
    arrangement: Type.Union([Type.Literal('fixed'), Type.Literal('hourly')]),
    currency: Type.String(),
    /** Fixed price: the whole price; null for hourly. */
    price: Type.Union([Type.Integer(), Type.Null()]),
    /** Hourly: the rate per hour; null for fixed. */
    hourlyRate: Type.Union([Type.Integer(), Type.Null()]),
    /** Hourly: billable minutes per week (default 40 h); null for fixed. */
    weeklyLimitMinutes: Type.Union([Type.Integer(), Type.Null()]),
    manualTimeAllowed: Type.Boolean(),
    milestones: Type.Array(
      Type.Object({ title: Type.String(), amount: Type.Integer(), dueDate: Type.Union([Type.String(), Type.Null()]) }),
    ),
    scope: Type.String(),
  },
  { description: 'The offer as drafted from the proposal; the seed of the terms document' },
)
export type InitialTermsDto = Static<typeof InitialTerms>

export const Contract = Type.Object({
  id: Type.String(),
  jobId: Type.String(),
  jobTitle: Type.String(),
  workroomId: Type.String(),
  proposalId: Type.String(),
  /** The private thread of the two parties, carried over from the proposal. */
  threadId: Type.Union([Type.String(), Type.Null()]),
  clientId: Type.String(),
  freelancerId: Type.String(),
  arrangement: Type.String(),
  currency: Type.String(),
  state: ContractState,
  initialTerms: InitialTerms,
  boundTermsVersion: Type.Union([Type.Integer(), Type.Null()]),
  price: Type.Union([Type.Integer(), Type.Null()]),
  hourlyRate: Type.Union([Type.Integer(), Type.Null()]),
  weeklyLimitMinutes: Type.Union([Type.Integer(), Type.Null()]),
  manualTimeAllowed: Type.Boolean(),
  offeredAt: Type.String({ format: 'date-time' }),
  offerExpiresAt: Type.String({ format: 'date-time' }),
  acceptedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type ContractDto = Static<typeof Contract>

export const ContractPage = Type.Object({
  items: Type.Array(Contract),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})
export const MyContractsQuery = Type.Object(
  {
    role: Type.Optional(
      Type.Union([Type.Literal('client'), Type.Literal('freelancer')], {
        description: 'Only contracts where you are this party',
      }),
    ),
    state: Type.Optional(ContractState),
    ...PageQuery,
  },
  { additionalProperties: false },
)
