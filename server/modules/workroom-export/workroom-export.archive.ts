import { Readable } from 'node:stream'
import { ZipFile } from 'yazl'
import type { Database } from '../../../db/client.js'
import type { FileStore } from '../../plugins/storage/storage.types.js'
import { createActivityRepository, toActivityDto, verifyChain, type ActivityRow } from '../activity/index.js'
import { createContractsRepository, toContractDto } from '../contracts/index.js'
import { createFilesRepository, toFileDto, type FileRow } from '../files/index.js'
import { canSeeJob, createJobsRepository, toJobDto } from '../jobs/index.js'
import { createMessagesRepository } from '../messages/index.js'
import { createProposalsRepository, toProposalDto } from '../proposals/index.js'
import type { Membership } from '../workrooms/index.js'
import { createExportRepository } from './workroom-export.repository.js'

/** Rows read per query while streaming a long list into the archive. */
const BATCH = 500

/** Types that are compressed already; deflating them again only costs CPU. */
const storedAsIs =
  /^(image\/(?!svg|bmp)|video\/|audio\/|application\/(zip|gzip|x-7z|x-rar|x-bzip2|x-xz|zstd|pdf|epub|vnd\.openxmlformats))/

/** Every page of a cursor-paged read, one after the other. */
async function* pages<T>(read: (after: T | null) => Promise<T[]>): AsyncGenerator<T> {
  let after: T | null = null
  for (;;) {
    const rows = await read(after)
    yield* rows
    if (rows.length < BATCH) return
    after = rows[rows.length - 1]!
  }
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of source) out.push(item)
  return out
}

/** A JSON document streamed as `{...head, [key]: [items...]}` without holding the items in memory. */
function jsonWithArray(head: Record<string, unknown>, key: string, items: AsyncIterable<unknown>): Readable {
  async function* chunks() {
    const opening = JSON.stringify(head, null, 2)
    yield Buffer.from(`${opening.slice(0, -2)}${opening.length > 2 ? ',\n' : '\n'}  ${JSON.stringify(key)}: [`)
    let first = true
    for await (const item of items) {
      yield Buffer.from(`${first ? '\n' : ',\n'}    ${JSON.stringify(item)}`)
      first = false
    }
    yield Buffer.from(`${first ? '' : '\n  '}]\n}\n`)
  }
  return Readable.from(chunks())
}

/**
 * The caller's view of a whole workroom as a zip, streamed: `workroom.json` (workroom, job,
 * members, proposals, contracts, threads, files, chain check), `threads/<id>.json` (each
 * visible thread with all its messages, oldest first), `activity.json` (the entries the
 * caller may see) and `files/<id>/<name>` (the bytes of every live file they may see).
 * Built from membership alone, so both parties keep it after the job or contract ended.
 */
export async function buildWorkroomExport(deps: {
  db: Database
  storage: FileStore
  now: Date
  log: { error(obj: object, msg: string): void }
  workroomId: string
  viewerId: string
  membership: Membership
}): Promise<Readable> {
  const { db, storage, now, workroomId, viewerId, membership } = deps
  const freelancerId = membership.role === 'freelancer' ? membership.freelancerId : undefined
  const exportRepository = createExportRepository(db)
  const messages = createMessagesRepository(db)
  const files = createFilesRepository(db)
  const activity = createActivityRepository(db)

  const workroom = await exportRepository.workroom(workroomId)
  if (!workroom) throw new Error(`workroom ${workroomId} vanished during export`)
  const job = await createJobsRepository(db).findByWorkroom(workroomId)
  const visibleJob = job && canSeeJob(job, membership) ? job : null
  const proposals = visibleJob
    ? await collect(
        pages((after: Awaited<ReturnType<ReturnType<typeof createProposalsRepository>['list']>>[number] | null) =>
          createProposalsRepository(db).list({
            jobId: visibleJob.id,
            ...(freelancerId ? { freelancerId } : {}),
            after: after ? { at: after.createdAt, id: after.id } : null,
            limit: BATCH,
          }),
        ),
      )
    : []
  const contracts = await collect(
    pages((after: Awaited<ReturnType<ReturnType<typeof createContractsRepository>['list']>>[number] | null) =>
      createContractsRepository(db).list({
        workroomId,
        ...(freelancerId ? { freelancerId } : {}),
        after: after ? { at: after.offeredAt, id: after.id } : null,
        limit: BATCH,
      }),
    ),
  )
  const threads = await collect(
    pages((after: Awaited<ReturnType<typeof messages.threads>>[number] | null) =>
      messages.threads({
        workroomId,
        ...(freelancerId ? { freelancerId } : {}),
        ...(after ? { after: { at: after.createdAt, id: after.id } } : {}),
        limit: BATCH,
      }),
    ),
  )
  const fileRows = await collect(
    pages((after: FileRow | null) =>
      files.page({ workroomId, viewer: membership, ...(after ? { beforeSeq: after.seq } : {}), limit: BATCH }),
    ),
  )
  const members = await exportRepository.members(
    workroomId,
    freelancerId ? [workroom.clientId, freelancerId] : undefined,
  )
  const filePath = (file: FileRow) => `files/${file.id}/${file.name}`

  const manifest = {
    format: 'workroom-export/1',
    exportedAt: now.toISOString(),
    viewer: { userId: viewerId, role: membership.role },
    workroom: { id: workroom.id, clientId: workroom.clientId, createdAt: workroom.createdAt.toISOString() },
    job: visibleJob ? toJobDto(visibleJob) : null,
    members: members.map((m) => ({ ...m, joinedAt: m.joinedAt.toISOString() })),
    proposals: proposals.map(toProposalDto),
    contracts: contracts.map(toContractDto),
    threads: threads.map((t) => ({
      id: t.id,
      freelancer: { id: t.freelancerId, name: t.freelancerName },
      createdAt: t.createdAt.toISOString(),
      path: `threads/${t.id}.json`,
    })),
    files: fileRows.map((file) => ({ ...toFileDto(file), path: filePath(file) })),
    activity: { path: 'activity.json', verification: await verifyChain(db, workroomId) },
  }

  const zip = new ZipFile()
  const mtime = now
  // yazl pipes entry streams without listening for their errors: a failed read would stall
  // the archive forever. Fail the whole download instead.
  // And a download abandoned half-way must not leave open files or database cursors behind.
  const open = new Set<Readable>()
  const guarded = (stream: Readable) => {
    open.add(stream)
    stream.once('close', () => open.delete(stream))
    return stream.once('error', (err) => zip.emit('error', err))
  }
  zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 'workroom.json', { mtime })
  for (const thread of threads) {
    zip.addReadStreamLazy(`threads/${thread.id}.json`, { mtime }, (callback) => {
      const items = (async function* () {
        for await (const message of pages((after: Awaited<ReturnType<typeof messages.page>>[number] | null) =>
          messages.page({
            threadId: thread.id,
            order: 'oldest',
            ...(after ? { afterSeq: after.seq } : {}),
            limit: BATCH,
          }),
        )) {
          const attachments = await messages.attachmentsOf([message.id])
          yield {
            id: message.id,
            authorId: message.authorId,
            body: message.body,
            createdAt: message.createdAt.toISOString(),
            attachments: attachments.map(({ messageId: _messageId, ...rest }) => rest),
          }
        }
      })()
      callback(
        null,
        guarded(jsonWithArray({ thread: manifest.threads.find((t) => t.id === thread.id) }, 'messages', items)),
      )
    })
  }
  zip.addReadStreamLazy('activity.json', { mtime }, (callback) => {
    const entries = (async function* () {
      for await (const row of pages((after: ActivityRow | null) =>
        activity.page({ workroomId, freelancerScope: freelancerId ?? null, afterSeq: after?.seq ?? 0, limit: BATCH }),
      )) {
        yield toActivityDto(row)
      }
    })()
    callback(null, guarded(jsonWithArray({ workroomId }, 'entries', entries)))
  })
  for (const file of fileRows) {
    zip.addReadStreamLazy(
      filePath(file),
      { mtime: file.createdAt, compress: !storedAsIs.test(file.contentType) },
      (callback) => {
        storage.get(file.storageKey).then(
          (stream) => callback(null, guarded(stream)),
          (err: unknown) => callback(err as Error, null as never),
        )
      },
    )
  }
  // yazl's output is a PassThrough; its typings only say NodeJS.ReadableStream.
  const output = zip.outputStream as unknown as Readable
  zip.on('error', (err: unknown) => {
    deps.log.error({ err, workroomId }, 'workroom export failed while streaming')
    output.destroy(err as Error)
  })
  output.once('close', () => {
    for (const stream of open) stream.destroy()
  })
  zip.end()
  return output
}
