import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody, IdParams, PageQuery } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import {
  MessageList,
  MessagesQuery,
  Message,
  PostMessageBody,
  ReadBody,
  ReadResult,
  ThreadList,
} from './messages.schemas.js'
import type { MessagesService } from './messages.service.js'

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody }

export const messagesRoutes: FastifyPluginAsyncTypebox<{ messages: MessagesService }> = async (app, { messages }) => {
  app.get(
    '/api/v1/workrooms/:id/threads',
    {
      schema: {
        tags: ['messages'],
        summary: 'Threads of a workroom (the client: all; a freelancer: their own) with unread count and last message',
        params: IdParams,
        querystring: Type.Object(PageQuery),
        response: { 200: ThreadList, ...errors },
      },
    },
    async (request) => {
      const { limit = 20, cursor } = request.query
      return messages.listThreads({
        userId: requireSession(request).user.id,
        workroomId: request.params.id,
        limit,
        ...(cursor !== undefined ? { cursor } : {}),
      })
    },
  )

  app.get(
    '/api/v1/threads/:id/messages',
    {
      schema: {
        tags: ['messages'],
        summary:
          'Message history: newest first by default (`nextCursor` pages back in time); `order=oldest` reads forward',
        params: IdParams,
        querystring: MessagesQuery,
        response: { 200: MessageList, ...errors },
      },
    },
    async (request) => {
      const { limit = 20, cursor, order = 'newest' } = request.query
      return messages.listMessages({
        userId: requireSession(request).user.id,
        threadId: request.params.id,
        order,
        limit,
        ...(cursor !== undefined ? { cursor } : {}),
      })
    },
  )

  app.post(
    '/api/v1/threads/:id/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'Post a message (1-20,000 characters, up to 10 attached files of this thread or shared workroom-wide)',
        params: IdParams,
        body: PostMessageBody,
        response: { 201: Message, ...errors },
      },
    },
    async (request, reply) => {
      const { body, attachmentFileIds } = request.body
      const message = await messages.post({
        userId: requireSession(request).user.id,
        threadId: request.params.id,
        body,
        ...(attachmentFileIds ? { attachmentFileIds } : {}),
      })
      return reply.status(201).send(message)
    },
  )

  app.post(
    '/api/v1/threads/:id/read',
    {
      schema: {
        tags: ['messages'],
        summary: 'Move your read marker up to a message (it never moves back)',
        params: IdParams,
        body: ReadBody,
        response: { 200: ReadResult, ...errors },
      },
    },
    async (request) =>
      messages.markRead({
        userId: requireSession(request).user.id,
        threadId: request.params.id,
        upToMessageId: request.body.upToMessageId,
      }),
  )
}
