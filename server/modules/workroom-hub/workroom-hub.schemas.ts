import { Type } from '@fastify/type-provider-typebox'
import { Contract } from '../contracts/index.js'
import { Job } from '../jobs/index.js'
import { ProposalState } from '../proposals/index.js'

export const ProposalSummary = Type.Object({
  id: Type.String(),
  freelancerId: Type.String(),
  freelancerName: Type.String(),
  threadId: Type.String(),
  state: ProposalState,
  bidAmount: Type.Union([Type.Integer(), Type.Null()]),
  hourlyRate: Type.Union([Type.Integer(), Type.Null()]),
  currency: Type.String(),
  estimatedDays: Type.Integer(),
  contractId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})

export const WorkroomInvite = Type.Object({
  freelancerId: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
})

export const Workroom = Type.Object({
  id: Type.String(),
  /** Your role here: the client sees everything, a freelancer only their own part. */
  role: Type.Union([Type.Literal('client'), Type.Literal('freelancer')]),
  job: Job,
  /** A freelancer's private thread with the client; null for the client (see the threads route). */
  threadId: Type.Union([Type.String(), Type.Null()]),
  invites: Type.Array(WorkroomInvite),
  /** The most recent proposals you may see (up to 100); the full list is under the job's proposals route. */
  proposals: Type.Array(ProposalSummary),
  proposalCount: Type.Integer(),
  contracts: Type.Array(Contract),
})
