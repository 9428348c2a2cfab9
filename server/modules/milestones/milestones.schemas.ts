import { Type, type Static } from '@fastify/type-provider-typebox'
import type { preValidationAsyncHookHandler } from 'fastify'
import { AmountSchema } from '../ledger/index.js'
import { heldOf } from './milestones.money.js'
import type { MilestoneRow, SubmissionRow } from './milestones.repository.js'

const DateTime = Type.String({ format: 'date-time' })
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()])

export const Submission = Type.Object({
  id: Type.String(),
  authorId: Type.String(),
  message: Type.String(),
  fileIds: Type.Array(Type.String()),
  outcome: Type.Union([
    Type.String({ description: 'approved | changes_requested | auto_released | refunded | disputed' }),
    Type.Null(),
  ]),
  reviewMessage: Nullable(Type.String()),
  reviewedAt: Nullable(DateTime),
  createdAt: DateTime,
})

export const Milestone = Type.Object({
  id: Type.String(),
  contractId: Type.String(),
  position: Type.Integer({ description: '0-based position in the terms' }),
  title: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  dueDate: Nullable(Type.String()),
  state: Type.String({
    description: 'pending | funded | submitted | changes_requested | released | refunded | disputed | cancelled',
  }),
  termsVersion: Type.Integer(),
  funded: Type.Integer({ description: 'Moved into escrow' }),
  released: Type.Integer({ description: 'Released to the freelancer, fee included' }),
  fees: Type.Integer({ description: 'Platform fees taken from the releases' }),
  refunded: Type.Integer({ description: "Returned to the client's wallet" }),
  held: Type.Integer({ description: 'Still in escrow' }),
  refundRequest: Type.Union([Type.Object({ amount: Type.Integer(), requestedAt: DateTime }), Type.Null()]),
  fundedAt: Nullable(DateTime),
  submittedAt: Nullable(DateTime),
  autoReleaseAt: Nullable(DateTime),
  resolvedAt: Nullable(DateTime),
  createdAt: DateTime,
  updatedAt: DateTime,
  submissions: Type.Array(Submission),
})
export type MilestoneDto = Static<typeof Milestone>

export const SubmitBody = Type.Object(
  {
    message: Type.String({ minLength: 1, maxLength: 10_000 }),
    fileIds: Type.Optional(
      Type.Array(Type.String({ format: 'uuid' }), {
        maxItems: 50,
        description: 'Files already shared in the workroom',
      }),
    ),
  },
  { additionalProperties: false },
)
export const AmountBody = Type.Object(
  { amount: Type.Optional({ ...AmountSchema, description: 'Part of what is held; default all of it' }) },
  { additionalProperties: false },
)
export const MessageBody = Type.Object(
  { message: Type.String({ minLength: 1, maxLength: 10_000 }) },
  { additionalProperties: false },
)
export const EmptyBody = Type.Object({}, { additionalProperties: false })

/** Lets a body-less POST through a body schema whose fields are all optional (it becomes `{}`). */
export const emptyBodyIsObject: preValidationAsyncHookHandler = async (request) => {
  if (request.body === undefined || request.body === null) request.body = {}
}

export function toSubmission(row: SubmissionRow): Static<typeof Submission> {
  return {
    id: row.id,
    authorId: row.authorId,
    message: row.message,
    fileIds: row.fileIds,
    outcome: row.outcome,
    reviewMessage: row.reviewMessage,
    reviewedAt: row.reviewedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  }
}

export function toMilestone(row: MilestoneRow, submissions: SubmissionRow[] = []): MilestoneDto {
  return {
    id: row.id,
    contractId: row.contractId,
    position: row.position,
    title: row.title,
    amount: Number(row.amount),
    currency: row.currency,
    dueDate: row.dueDate,
    state: row.state,
    termsVersion: row.termsVersion,
    funded: Number(row.fundedAmount),
    released: Number(row.releasedAmount),
    fees: Number(row.feeAmount),
    refunded: Number(row.refundedAmount),
    held: Number(heldOf(row)),
    refundRequest:
      row.refundRequestedAmount !== null && row.refundRequestedAt
        ? { amount: Number(row.refundRequestedAmount), requestedAt: row.refundRequestedAt.toISOString() }
        : null,
    fundedAt: row.fundedAt?.toISOString() ?? null,
    submittedAt: row.submittedAt?.toISOString() ?? null,
    autoReleaseAt: row.autoReleaseAt?.toISOString() ?? null,
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    submissions: submissions.filter((s) => s.milestoneId === row.id).map(toSubmission),
  }
}
