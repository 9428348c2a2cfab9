import { Type, type Static } from '@fastify/type-provider-typebox'

const Rating = Type.Integer({ minimum: 1, maximum: 5 })
const Role = Type.Union([Type.Literal('client'), Type.Literal('freelancer')])
const Text = Type.String({ minLength: 1, maxLength: 5000, pattern: '\\S' })

/** What the client gives the freelancer (weights 30/20/15/15/10/10). */
export const FreelancerRatingsBody = Type.Object(
  {
    quality: Rating,
    responsiveness: Rating,
    professionalism: Rating,
    expertise: Rating,
    schedule: Rating,
    cost: Rating,
  },
  { additionalProperties: false, description: 'The client rates the freelancer' },
)
/** What the freelancer gives the client (equal weights). */
export const ClientRatingsBody = Type.Object(
  { clarity: Rating, communication: Rating, paymentPromptness: Rating },
  {
    additionalProperties: false,
    description: 'The freelancer rates the client (clarity of requirements, communication, payment promptness)',
  },
)

export const LeaveFeedbackBody = Type.Object(
  {
    ratings: Type.Union([FreelancerRatingsBody, ClientRatingsBody], {
      description: 'Each 1-5; the set that fits the party you rate',
    }),
    comment: Type.String({
      minLength: 1,
      maxLength: 5000,
      pattern: '\\S',
      description: 'Public once revealed; never editable',
    }),
  },
  { additionalProperties: false },
)
export type LeaveFeedbackInput = Static<typeof LeaveFeedbackBody>

export const ReplyBody = Type.Object({ body: Text }, { additionalProperties: false })

export const Feedback = Type.Object({
  id: Type.String(),
  contractId: Type.String(),
  authorId: Type.String(),
  authorRole: Role,
  subjectId: Type.String(),
  subjectRole: Role,
  ratings: Type.Object({
    quality: Type.Optional(Type.Integer()),
    responsiveness: Type.Optional(Type.Integer()),
    professionalism: Type.Optional(Type.Integer()),
    expertise: Type.Optional(Type.Integer()),
    schedule: Type.Optional(Type.Integer()),
    cost: Type.Optional(Type.Integer()),
    clarity: Type.Optional(Type.Integer()),
    communication: Type.Optional(Type.Integer()),
    paymentPromptness: Type.Optional(Type.Integer()),
  }),
  score: Type.Number({ description: '0.0-5.0 in steps of 0.01 (see docs/reputation.md)' }),
  comment: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  /** False while only its author may see it. */
  revealed: Type.Boolean(),
  revealedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  reply: Type.Union([
    Type.Object({ body: Type.String(), createdAt: Type.String({ format: 'date-time' }) }),
    Type.Null(),
  ]),
  /** Until when the rated party may reply (null until revealed). */
  replyUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})
export type FeedbackDto = Static<typeof Feedback>

export const FeedbackWindow = Type.Object({
  opensAt: Type.String({ format: 'date-time', description: 'The contract ended' }),
  closesAt: Type.String({ format: 'date-time' }),
  open: Type.Boolean(),
  revealedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** `both`: both parties left theirs; `deadline`: the window closed. */
  revealedBy: Type.Union([Type.Literal('both'), Type.Literal('deadline'), Type.Null()]),
  /** Who has left feedback (shown to the two parties, and to everyone once revealed). */
  submitted: Type.Object({ client: Type.Boolean(), freelancer: Type.Boolean() }),
})

export const ContractFeedback = Type.Object({
  contractId: Type.String(),
  /** Null until the contract ended (or when it never started). */
  window: Type.Union([FeedbackWindow, Type.Null()]),
  items: Type.Array(Feedback),
})
export type ContractFeedbackDto = Static<typeof ContractFeedback>
