import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { create as contentDisposition } from 'content-disposition'
import type { Clock } from '../../clock.js'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import { getMembership, workroomErrors } from '../workrooms/index.js'
import { buildWorkroomExport } from './workroom-export.archive.js'

export const workroomExportRoutes: FastifyPluginAsyncTypebox<{ clock: Clock }> = async (app, { clock }) => {
  app.get(
    '/api/v1/workrooms/:id/export',
    {
      schema: {
        tags: ['activity'],
        summary:
          'Download your view of the whole workroom as a zip (JSON plus files), also after the job or contract ended',
        params: IdParams,
        response: {
          200: {
            description: 'A zip archive',
            content: { 'application/zip': { schema: Type.String({ format: 'binary' }) } },
          },
          400: ErrorBody,
          401: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const userId = requireSession(request).user.id
      const membership = await getMembership(app.db, request.params.id, userId)
      if (!membership) throw workroomErrors.notFound()
      const archive = await buildWorkroomExport({
        db: app.db,
        storage: app.storage,
        now: clock.now(),
        log: request.log,
        workroomId: request.params.id,
        viewerId: userId,
        membership,
      })
      return (
        reply
          .header('content-type', 'application/zip')
          .header('content-disposition', contentDisposition(`workroom-${request.params.id}.zip`))
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'private, no-store')
          // A stream is sent as is (never serialized); the schema above only documents it.
          .send(archive as never)
      )
    },
  )
}
