import { and, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { filesTable, threadsTable, workroomMembersTable, workroomsTable } from '../../../db/schema/index.js'

export type FileRow = typeof filesTable.$inferSelect
export type ThreadRow = typeof threadsTable.$inferSelect

/** What a viewer may see of a workroom's files: everything (client) or the shared ones and their own thread's. */
export type FileViewer = { role: 'client' } | { role: 'freelancer'; freelancerId: string }

function visibleTo(viewer: FileViewer) {
  if (viewer.role === 'client') return undefined
  return or(eq(filesTable.scope, 'workroom'), eq(filesTable.scopeFreelancerId, viewer.freelancerId))
}

/** True when this viewer may see the file (client: all; freelancer: shared ones and their own thread's). */
export function canSeeFile(viewer: FileViewer, file: Pick<FileRow, 'scope' | 'scopeFreelancerId'>): boolean {
  return viewer.role === 'client' || file.scope === 'workroom' || file.scopeFreelancerId === viewer.freelancerId
}

export function createFilesRepository(db: Executor) {
  return {
    async findThread(threadId: string): Promise<ThreadRow | null> {
      const [row] = await db.select().from(threadsTable).where(eq(threadsTable.id, threadId)).limit(1)
      return row ?? null
    },
    async findThreadOf(workroomId: string, freelancerId: string): Promise<ThreadRow | null> {
      const [row] = await db
        .select()
        .from(threadsTable)
        .where(and(eq(threadsTable.workroomId, workroomId), eq(threadsTable.freelancerId, freelancerId)))
        .limit(1)
      return row ?? null
    },
    /** Serializes uploads and deletes of one workroom (quota and version numbers). */
    async lockWorkroom(workroomId: string): Promise<{ clientId: string } | null> {
      const [row] = await db
        .select({ clientId: workroomsTable.clientId })
        .from(workroomsTable)
        .where(eq(workroomsTable.id, workroomId))
        .for('no key update')
      return row ?? null
    },
    async usedBytes(workroomId: string): Promise<number> {
      const [row] = await db
        .select({ used: sql<string>`coalesce(sum(${filesTable.size}), 0)` })
        .from(filesTable)
        .where(and(eq(filesTable.workroomId, workroomId), isNull(filesTable.deletedAt)))
      return Number(row?.used ?? 0)
    },
    /** The next version number of a name in a group (deleted versions keep their numbers). */
    async nextVersion(workroomId: string, versionGroup: string, name: string): Promise<number> {
      const [row] = await db
        .select({ last: sql<number | null>`max(${filesTable.version})` })
        .from(filesTable)
        .where(
          and(
            eq(filesTable.workroomId, workroomId),
            eq(filesTable.versionGroup, versionGroup),
            eq(filesTable.name, name),
          ),
        )
      return Number(row?.last ?? 0) + 1
    },
    async insert(row: typeof filesTable.$inferInsert): Promise<FileRow> {
      const [inserted] = await db.insert(filesTable).values(row).returning()
      return inserted!
    },
    async find(fileId: string): Promise<FileRow | null> {
      const [row] = await db.select().from(filesTable).where(eq(filesTable.id, fileId)).limit(1)
      return row ?? null
    },
    /** Marks a live file deleted; null when it already was. */
    async markDeleted(fileId: string, by: string, at: Date): Promise<FileRow | null> {
      const [row] = await db
        .update(filesTable)
        .set({ deletedAt: at, deletedBy: by })
        .where(and(eq(filesTable.id, fileId), isNull(filesTable.deletedAt)))
        .returning()
      return row ?? null
    },
    /** Live files this viewer may see, newest first, paged by `seq`. */
    async page(input: {
      workroomId: string
      viewer: FileViewer
      threadId?: string
      name?: string
      beforeSeq?: number
      limit: number
    }): Promise<FileRow[]> {
      return db
        .select()
        .from(filesTable)
        .where(
          and(
            eq(filesTable.workroomId, input.workroomId),
            isNull(filesTable.deletedAt),
            visibleTo(input.viewer),
            input.threadId ? eq(filesTable.threadId, input.threadId) : undefined,
            input.name ? eq(filesTable.name, input.name) : undefined,
            input.beforeSeq !== undefined ? lt(filesTable.seq, input.beforeSeq) : undefined,
          ),
        )
        .orderBy(desc(filesTable.seq))
        .limit(input.limit)
    },
    /** Files by id, whatever their state (message attachments show deleted ones as such). */
    async findMany(fileIds: readonly string[]): Promise<FileRow[]> {
      if (fileIds.length === 0) return []
      return db
        .select()
        .from(filesTable)
        .where(inArray(filesTable.id, [...fileIds]))
    },
    async memberIds(workroomId: string): Promise<string[]> {
      const rows = await db
        .select({ userId: workroomMembersTable.userId })
        .from(workroomMembersTable)
        .where(eq(workroomMembersTable.workroomId, workroomId))
      return rows.map((row) => row.userId)
    },
  }
}

export type FilesRepository = ReturnType<typeof createFilesRepository>

/**
 * The live files of a workroom that both parties of a thread can see (that thread's files
 * and the workroom-wide ones): what a message in that thread may attach.
 */
export async function findAttachableFiles(
  db: Executor,
  input: { workroomId: string; threadId: string; fileIds: readonly string[] },
): Promise<FileRow[]> {
  if (input.fileIds.length === 0) return []
  return db
    .select()
    .from(filesTable)
    .where(
      and(
        inArray(filesTable.id, [...input.fileIds]),
        eq(filesTable.workroomId, input.workroomId),
        isNull(filesTable.deletedAt),
        or(eq(filesTable.scope, 'workroom'), eq(filesTable.threadId, input.threadId)),
      ),
    )
}
