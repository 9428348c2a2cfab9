import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import { toJobDto } from './jobs.dto.js'
import {
  CreateJobBody,
  Invite,
  InviteBody,
  Job,
  JobPage,
  JobSearchQuery,
  MyJobsQuery,
  UpdateJobBody,
} from './jobs.schemas.js'
import type { JobsService } from './jobs.service.js'

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody }
const tags = ['jobs']

export const jobsRoutes: FastifyPluginAsyncTypebox<{ jobs: JobsService }> = async (app, { jobs }) => {
  app.post(
    '/api/v1/jobs',
    {
      schema: {
        tags,
        summary: 'Post a job (as a draft) with its workroom',
        body: CreateJobBody,
        response: { 201: Job, ...errors },
      },
    },
    async (request, reply) => {
      const job = await jobs.create({ clientId: requireSession(request).user.id, job: request.body })
      return reply.status(201).send(toJobDto(job))
    },
  )

  app.get(
    '/api/v1/jobs',
    {
      config: { auth: 'optional' },
      schema: {
        tags,
        summary: 'Search open jobs',
        description:
          'Full-text search over title and description (English stemming, web-search syntax) with filters. Lists open jobs still taking proposals: public ones, and invite-only ones only to their client and invited freelancers. Cursor-paginated; the cursor belongs to the sort order it came from.',
        querystring: JobSearchQuery,
        response: { 200: JobPage, ...errors },
      },
    },
    async (request) => {
      const page = await jobs.search({ viewerId: request.session?.user.id ?? null, query: request.query })
      return { items: page.items.map(toJobDto), nextCursor: page.nextCursor }
    },
  )

  app.get(
    '/api/v1/me/jobs',
    {
      schema: {
        tags,
        summary: 'Your own jobs in every state, drafts included (newest first)',
        querystring: MyJobsQuery,
        response: { 200: JobPage, ...errors },
      },
    },
    async (request) => {
      const page = await jobs.listMine({ clientId: requireSession(request).user.id, ...request.query })
      return { items: page.items.map(toJobDto), nextCursor: page.nextCursor }
    },
  )

  app.get(
    '/api/v1/jobs/:id',
    {
      config: { auth: 'optional' },
      schema: { tags, summary: 'One job', params: IdParams, response: { 200: Job, ...errors } },
    },
    async (request) =>
      toJobDto(await jobs.get({ jobId: request.params.id, viewerId: request.session?.user.id ?? null })),
  )

  app.patch(
    '/api/v1/jobs/:id',
    {
      schema: {
        tags,
        summary: 'Edit a draft or open job (client)',
        description:
          'Changing the arrangement needs the new range in the same request; arrangement and currency are frozen once a proposal exists.',
        params: IdParams,
        body: UpdateJobBody,
        response: { 200: Job, ...errors },
      },
    },
    async (request) =>
      toJobDto(
        await jobs.update({ clientId: requireSession(request).user.id, jobId: request.params.id, patch: request.body }),
      ),
  )

  const actions = {
    publish: 'Publish a draft: it becomes open and searchable',
    close: 'Stop taking proposals (awarded if someone was hired)',
    cancel: 'Cancel the job (not while a contract on it is offered or running)',
  } as const
  for (const [action, summary] of Object.entries(actions) as Array<[keyof typeof actions, string]>) {
    app.post(
      `/api/v1/jobs/:id/${action}`,
      { schema: { tags, summary, params: IdParams, response: { 200: Job, ...errors } } },
      async (request) =>
        toJobDto(await jobs[action]({ clientId: requireSession(request).user.id, jobId: request.params.id })),
    )
  }

  app.post(
    '/api/v1/jobs/:id/invites',
    {
      schema: {
        tags,
        summary: 'Invite a freelancer to propose (client; 200 if already invited)',
        params: IdParams,
        body: InviteBody,
        response: { 200: Invite, 201: Invite, ...errors },
      },
    },
    async (request, reply) => {
      const { invite, threadId, created } = await jobs.invite({
        clientId: requireSession(request).user.id,
        jobId: request.params.id,
        freelancerId: request.body.freelancerId,
      })
      return reply.status(created ? 201 : 200).send({
        jobId: invite.jobId,
        freelancerId: invite.freelancerId,
        invitedBy: invite.invitedBy,
        threadId,
        createdAt: invite.createdAt.toISOString(),
      })
    },
  )
}
