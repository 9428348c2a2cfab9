import { Type, type Static } from '@fastify/type-provider-typebox'
import { MilestonePlanSchema } from '../../../common/milestone-plan.js'
import { PageQuery } from '../../http/schemas.js'

const Positive = Type.Integer({
  minimum: 1,
  maximum: 1_000_000_000_000,
  description: 'Integer minor units of the job currency',
})
const CoverLetter = Type.String({ minLength: 1, maxLength: 10_000, pattern: '\\S' })
const EstimatedDays = Type.Integer({ minimum: 1, maximum: 3650 })
// Fixed-price jobs only; the same schema checks the terms document and the offer frozen at hire.
const Milestones = MilestonePlanSchema
const AttachmentFileIds = Type.Array(Type.String({ format: 'uuid' }), {
  maxItems: 10,
  description:
    'Files already uploaded to this workroom that you can see (upload after your first proposal or an invite)',
})

export const SubmitProposalBody = Type.Object(
  {
    coverLetter: CoverLetter,
    bidAmount: Type.Optional(Positive),
    hourlyRate: Type.Optional(Positive),
    estimatedDays: EstimatedDays,
    milestones: Type.Optional(Milestones),
    attachmentFileIds: Type.Optional(AttachmentFileIds),
  },
  { additionalProperties: false },
)

export const UpdateProposalBody = Type.Object(
  {
    coverLetter: Type.Optional(CoverLetter),
    bidAmount: Type.Optional(Positive),
    hourlyRate: Type.Optional(Positive),
    estimatedDays: Type.Optional(EstimatedDays),
    milestones: Type.Optional(Type.Union([Milestones, Type.Null()])),
    attachmentFileIds: Type.Optional(AttachmentFileIds),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const ProposalState = Type.Union([
  Type.Literal('submitted'),
  Type.Literal('shortlisted'),
  Type.Literal('declined'),
  Type.Literal('withdrawn'),
  Type.Literal('hired'),
])

export const Proposal = Type.Object({
  id: Type.String(),
  jobId: Type.String(),
  jobTitle: Type.String(),
  workroomId: Type.String(),
  freelancerId: Type.String(),
  freelancerName: Type.String(),
  threadId: Type.String(),
  state: ProposalState,
  coverLetter: Type.String(),
  bidAmount: Type.Union([Type.Integer(), Type.Null()]),
  hourlyRate: Type.Union([Type.Integer(), Type.Null()]),
  currency: Type.String(),
  estimatedDays: Type.Integer(),
  milestones: Type.Union([
    Type.Array(
      Type.Object({ title: Type.String(), amount: Type.Integer(), dueDate: Type.Union([Type.String(), Type.Null()]) }),
    ),
    Type.Null(),
  ]),
  attachmentFileIds: Type.Array(Type.String()),
  /** The contract made by hiring this proposal, if any. */
  contractId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type ProposalDto = Static<typeof Proposal>

export const ProposalPage = Type.Object({
  items: Type.Array(Proposal),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})
export const ProposalListQuery = Type.Object(
  { state: Type.Optional(ProposalState), ...PageQuery },
  { additionalProperties: false },
)
