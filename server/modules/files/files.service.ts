import type { Readable } from 'node:stream'
import type { Database } from '../../../db/client.js'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import {
  StorageError,
  StorageNotFoundError,
  StorageTooLargeError,
  type FileStore,
} from '../../plugins/storage/storage.types.js'
import { appendActivity } from '../activity/index.js'
import { parseSeqCursor, seqCursor } from '../../http/seq-cursor.js'
import type { EventsService } from '../events/index.js'
import { getMembership, workroomErrors } from '../workrooms/index.js'
import { sniffContentType } from './files.content.js'
import { fileErrors } from './files.errors.js'
import { canSeeFile, createFilesRepository, type FileRow } from './files.repository.js'

export interface FileDto {
  id: string
  workroomId: string
  threadId: string | null
  scope: 'thread' | 'workroom'
  name: string
  version: number
  size: number
  contentType: string
  sha256: string
  uploaderId: string
  createdAt: string
}

export function toFileDto(row: FileRow): FileDto {
  return {
    id: row.id,
    workroomId: row.workroomId,
    threadId: row.threadId,
    scope: row.scope as FileDto['scope'],
    name: row.name,
    version: row.version,
    size: row.size,
    contentType: row.contentType,
    sha256: row.sha256,
    uploaderId: row.uploaderId,
    createdAt: row.createdAt.toISOString(),
  }
}

/** Where an upload goes: a thread (its client and freelancer) or the whole workroom. */
export interface UploadTarget {
  threadId?: string
  scope?: 'thread' | 'workroom'
}

export function createFilesService(deps: {
  db: Database
  storage: FileStore
  clock: Clock
  ids: IdGenerator
  events: Pick<EventsService, 'publish'>
  limits: { fileMaxBytes: number; workroomQuotaBytes: number }
  log: { warn(obj: object, msg: string): void }
}) {
  const { db, storage, clock, ids, events, limits, log } = deps
  const repository = createFilesRepository(db)

  async function resolveTarget(userId: string, workroomId: string, target: UploadTarget) {
    const membership = await getMembership(db, workroomId, userId)
    if (!membership) throw workroomErrors.notFound()
    if (target.threadId) {
      if (target.scope === 'workroom') throw fileErrors.badField('Give either threadId or scope=workroom, not both')
      const thread = await repository.findThread(target.threadId)
      const mayUse =
        thread && thread.workroomId === workroomId && (membership.role === 'client' || thread.freelancerId === userId)
      if (!thread || !mayUse) throw fileErrors.threadNotFound()
      return { scope: 'thread' as const, thread }
    }
    if (target.scope === 'workroom') {
      if (membership.role !== 'client') throw fileErrors.scopeForbidden()
      return { scope: 'workroom' as const, thread: null }
    }
    // A freelancer has exactly one thread here: their files go there unless they say otherwise.
    if (membership.role === 'freelancer') {
      const thread = await repository.findThreadOf(workroomId, userId)
      if (!thread) throw workroomErrors.notFound()
      return { scope: 'thread' as const, thread }
    }
    throw fileErrors.scopeRequired()
  }

  /** Who hears about a file: its thread's two parties, or every member for a shared one. */
  async function audience(file: FileRow, clientId: string): Promise<string[]> {
    if (file.scope === 'workroom') return repository.memberIds(file.workroomId)
    return [clientId, file.scopeFreelancerId!]
  }

  async function visibleFile(
    userId: string,
    fileId: string,
  ): Promise<{ file: FileRow; role: 'client' | 'freelancer' }> {
    const file = await repository.find(fileId)
    if (!file || file.deletedAt) throw fileErrors.notFound()
    const membership = await getMembership(db, file.workroomId, userId)
    if (!membership || !canSeeFile(membership, file)) throw fileErrors.notFound()
    return { file, role: membership.role }
  }

  return {
    /**
     * Streams one upload into the store under a key the server makes, then records it as the
     * next version of its name. Nothing is left behind when it fails: too large, over the
     * quota, interrupted, or refused. Takes ownership of `source`.
     */
    async upload(input: {
      userId: string
      workroomId: string
      target: UploadTarget
      fileName: string
      source: Readable
    }): Promise<FileRow> {
      const { userId, workroomId, fileName, source } = input
      let sourceError: unknown = null
      source.once('error', (err) => (sourceError = err))
      let resolved, maxBytes
      try {
        resolved = await resolveTarget(userId, workroomId, input.target)
        const remaining = Math.max(0, limits.workroomQuotaBytes - (await repository.usedBytes(workroomId)))
        maxBytes = Math.min(limits.fileMaxBytes, remaining)
      } catch (err) {
        source.destroy()
        throw err
      }

      const fileId = ids.newId()
      const storageKey = `workrooms/${workroomId}/files/${fileId}`
      let stored
      try {
        const { contentType, stream } = await sniffContentType(source)
        const result = await storage.put(storageKey, stream, { maxBytes, contentType })
        stored = { ...result, contentType }
      } catch (err) {
        if (err instanceof StorageTooLargeError) {
          throw maxBytes < limits.fileMaxBytes
            ? fileErrors.quotaExceeded(undefined, { quotaBytes: limits.workroomQuotaBytes })
            : fileErrors.tooLarge(`The file is larger than the limit of ${limits.fileMaxBytes} bytes`, {
                maxBytes: limits.fileMaxBytes,
              })
        }
        // The upload itself broke (cut off, malformed multipart): the caller's fault, not ours.
        if ((sourceError ?? source.errored) && !(err instanceof StorageError)) throw fileErrors.uploadFailed()
        throw err
      }

      const thread = resolved.thread
      let file
      try {
        file = await db.transaction(async (tx) => {
          const txRepository = createFilesRepository(tx)
          const workroom = await txRepository.lockWorkroom(workroomId)
          if (!workroom) throw workroomErrors.notFound()
          // Checked again under the lock: two uploads may have started with the same room left.
          if ((await txRepository.usedBytes(workroomId)) + stored.size > limits.workroomQuotaBytes) {
            throw fileErrors.quotaExceeded(undefined, { quotaBytes: limits.workroomQuotaBytes })
          }
          const versionGroup = thread ? `thread:${thread.id}` : 'workroom'
          const row = await txRepository.insert({
            id: fileId,
            workroomId,
            scope: resolved.scope,
            threadId: thread?.id ?? null,
            scopeFreelancerId: thread?.freelancerId ?? null,
            versionGroup,
            name: fileName,
            version: await txRepository.nextVersion(workroomId, versionGroup, fileName),
            storageKey,
            size: stored.size,
            sha256: stored.sha256,
            contentType: stored.contentType,
            uploaderId: userId,
            createdAt: clock.now(),
          })
          await appendActivity(
            tx,
            { clock, ids },
            {
              workroomId,
              actorId: userId,
              type: 'file.uploaded',
              scopeFreelancerId: row.scopeFreelancerId,
              data: {
                fileId: row.id,
                name: row.name,
                version: row.version,
                size: row.size,
                contentType: row.contentType,
                threadId: row.threadId,
              },
            },
          )
          return { row, clientId: workroom.clientId }
        })
      } catch (err) {
        await storage
          .delete(storageKey)
          .catch((deleteError: unknown) =>
            log.warn({ err: deleteError, storageKey }, 'could not remove a refused upload'),
          )
        throw err
      }
      await events.publish(await audience(file.row, file.clientId), {
        type: 'file.uploaded',
        workroomId,
        data: toFileDto(file.row),
      })
      return file.row
    },

    async list(input: {
      userId: string
      workroomId: string
      threadId?: string
      name?: string
      cursor?: string
      limit: number
    }) {
      const membership = await getMembership(db, input.workroomId, input.userId)
      if (!membership) throw workroomErrors.notFound()
      const beforeSeq = input.cursor === undefined ? undefined : parseSeqCursor(input.cursor)
      const rows = await repository.page({
        workroomId: input.workroomId,
        viewer: membership,
        ...(input.threadId ? { threadId: input.threadId } : {}),
        ...(input.name ? { name: input.name } : {}),
        ...(beforeSeq !== undefined ? { beforeSeq } : {}),
        limit: input.limit + 1,
      })
      const page = rows.slice(0, input.limit)
      return { items: page, nextCursor: rows.length > input.limit ? seqCursor(page[page.length - 1]!.seq) : null }
    },

    /** The file's metadata and bytes, if the caller may see it. */
    async open(input: { userId: string; fileId: string }): Promise<{ file: FileRow; stream: Readable }> {
      const { file } = await visibleFile(input.userId, input.fileId)
      try {
        return { file, stream: await storage.get(file.storageKey) }
      } catch (err) {
        if (err instanceof StorageNotFoundError) throw fileErrors.notFound()
        throw err
      }
    },

    /** Soft delete: the row (and the activity about it) stays, the bytes go. Uploader or client only. */
    async remove(input: { userId: string; fileId: string }): Promise<void> {
      const { file, role } = await visibleFile(input.userId, input.fileId)
      if (role !== 'client' && file.uploaderId !== input.userId) throw fileErrors.deleteForbidden()
      const result = await db.transaction(async (tx) => {
        const txRepository = createFilesRepository(tx)
        const workroom = await txRepository.lockWorkroom(file.workroomId)
        const deleted = await txRepository.markDeleted(file.id, input.userId, clock.now())
        if (!workroom || !deleted) throw fileErrors.notFound()
        await appendActivity(
          tx,
          { clock, ids },
          {
            workroomId: file.workroomId,
            actorId: input.userId,
            type: 'file.deleted',
            scopeFreelancerId: file.scopeFreelancerId,
            data: { fileId: file.id, name: file.name, version: file.version, threadId: file.threadId },
          },
        )
        return { row: deleted, clientId: workroom.clientId }
      })
      await storage
        .delete(file.storageKey)
        .catch((err: unknown) =>
          log.warn({ err, storageKey: file.storageKey }, 'could not remove the bytes of a deleted file'),
        )
      await events.publish(await audience(result.row, result.clientId), {
        type: 'file.deleted',
        workroomId: file.workroomId,
        data: { id: file.id, threadId: file.threadId },
      })
    },
  }
}

export type FilesService = ReturnType<typeof createFilesService>
