import multipart, { type MultipartFields } from '@fastify/multipart'
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { create as contentDisposition } from 'content-disposition'
import { ErrorBody, IdParams } from '../../http/schemas.js'
import { requireSession } from '../accounts/index.js'
import { getMembership, workroomErrors } from '../workrooms/index.js'
import { sanitizeFileName } from './files.content.js'
import { fileErrors } from './files.errors.js'
import { FileList, FileListQuery, FileSchema } from './files.schemas.js'
import { toFileDto, type FilesService, type UploadTarget } from './files.service.js'

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: ErrorBody }
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const acceptedFields = new Set(['threadId', 'scope'])

/** `threadId` and `scope` from the form fields sent before the file part. */
function readTarget(fields: MultipartFields, fileField: string): UploadTarget {
  const target: UploadTarget = {}
  for (const [name, entry] of Object.entries(fields)) {
    if (name === fileField || entry === undefined) continue
    if (!acceptedFields.has(name)) throw fileErrors.badField(`Unknown form field ${JSON.stringify(name.slice(0, 64))}`)
    if (Array.isArray(entry) || entry.type !== 'field' || typeof entry.value !== 'string') {
      throw fileErrors.badField(`${name} must be given once, as text`)
    }
    const value = entry.value
    if (name === 'threadId') {
      // A malformed id names nothing: not found, like any id in a path.
      if (!uuidPattern.test(value)) throw fileErrors.threadNotFound()
      target.threadId = value.toLowerCase()
    } else {
      if (value !== 'thread' && value !== 'workroom') throw fileErrors.badField('scope must be "thread" or "workroom"')
      target.scope = value
    }
  }
  return target
}

export const filesRoutes: FastifyPluginAsyncTypebox<{ files: FilesService; fileMaxBytes: number }> = async (
  app,
  { files, fileMaxBytes },
) => {
  // Registered here, not globally: only these routes take multipart bodies.
  await app.register(multipart, {
    // One byte over the limit still reaches the store, which refuses it and keeps nothing.
    limits: { fileSize: fileMaxBytes + 1, files: 1, fields: 4, fieldSize: 256, parts: 5, headerPairs: 20 },
  })

  app.post(
    '/api/v1/workrooms/:id/files',
    {
      schema: {
        tags: ['files'],
        summary: 'Upload a file (multipart/form-data: optional `threadId` / `scope` fields first, then one file part)',
        description:
          'A freelancer’s file goes to their own thread. The client names a `threadId` (that thread only) or sends ' +
          '`scope=workroom` (every member of the workroom). The same name in the same thread (or workroom-wide) makes the next version. ' +
          'At most FILE_MAX_BYTES (413 `files.too_large`); the workroom quota is WORKROOM_QUOTA_BYTES (413 `files.quota_exceeded`).',
        consumes: ['multipart/form-data'],
        params: IdParams,
        response: { 201: FileSchema, ...errors },
      },
    },
    async (request, reply) => {
      const session = requireSession(request)
      // Nothing of the body is read for someone who may not see the workroom.
      if (!(await getMembership(app.db, request.params.id, session.user.id))) throw workroomErrors.notFound()
      if (!request.isMultipart()) throw fileErrors.multipartRequired()
      let part
      try {
        part = await request.file()
      } catch (err) {
        // busboy's own errors (no boundary, a body that ends mid-part) carry no status.
        const status = (err as { statusCode?: unknown }).statusCode
        if (typeof status === 'number' && status < 500) throw err
        throw fileErrors.uploadFailed()
      }
      if (!part) throw fileErrors.noFile()
      let target: UploadTarget
      try {
        target = readTarget(part.fields, part.fieldname)
      } catch (err) {
        part.file.destroy()
        throw err
      }
      const row = await files.upload({
        userId: session.user.id,
        workroomId: request.params.id,
        target,
        fileName: sanitizeFileName(part.filename),
        source: part.file,
      })
      return reply.status(201).send(toFileDto(row))
    },
  )

  app.get(
    '/api/v1/workrooms/:id/files',
    {
      schema: {
        tags: ['files'],
        summary: 'Files you may see in a workroom, newest first (every version; filter by threadId or name)',
        params: IdParams,
        querystring: FileListQuery,
        response: { 200: FileList, ...errors },
      },
    },
    async (request) => {
      const { limit = 20, cursor, threadId, name } = request.query
      const page = await files.list({
        userId: requireSession(request).user.id,
        workroomId: request.params.id,
        limit,
        ...(cursor !== undefined ? { cursor } : {}),
        ...(threadId ? { threadId } : {}),
        ...(name ? { name } : {}),
      })
      return { items: page.items.map(toFileDto), nextCursor: page.nextCursor }
    },
  )

  app.get(
    '/api/v1/files/:id/content',
    {
      schema: {
        tags: ['files'],
        summary: 'Download a file (always as an attachment, with its sniffed type and nosniff)',
        params: IdParams,
        response: {
          200: {
            description: 'The stored bytes',
            content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { file, stream } = await files.open({ userId: requireSession(request).user.id, fileId: request.params.id })
      return (
        reply
          .header('content-type', file.contentType)
          .header('content-length', String(file.size))
          .header('content-disposition', contentDisposition(file.name, { type: 'attachment' }))
          .header('x-content-type-options', 'nosniff')
          // Even if a browser were talked into rendering it, the file may run nothing.
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cache-control', 'private, no-store')
          .header('etag', `"${file.sha256}"`)
          // A stream is sent as is (never serialized); the schema above only documents it.
          .send(stream as never)
      )
    },
  )

  app.delete(
    '/api/v1/files/:id',
    {
      schema: {
        tags: ['files'],
        summary: 'Delete a file (its uploader or the client); the activity log keeps the record',
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await files.remove({ userId: requireSession(request).user.id, fileId: request.params.id })
      return reply.status(204).send(null)
    },
  )
}
