import { and, asc, eq, inArray } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { usersTable, workroomMembersTable, workroomsTable } from '../../../db/schema/index.js'

/** The export's own reads of the shared workroom tables. */
export function createExportRepository(db: Executor) {
  return {
    async workroom(workroomId: string) {
      const [row] = await db.select().from(workroomsTable).where(eq(workroomsTable.id, workroomId)).limit(1)
      return row ?? null
    },
    /** Members with their names; `onlyUserIds` narrows to the people a freelancer may see. */
    async members(workroomId: string, onlyUserIds?: readonly string[]) {
      return db
        .select({
          userId: workroomMembersTable.userId,
          name: usersTable.name,
          role: workroomMembersTable.role,
          via: workroomMembersTable.via,
          joinedAt: workroomMembersTable.createdAt,
        })
        .from(workroomMembersTable)
        .innerJoin(usersTable, eq(usersTable.id, workroomMembersTable.userId))
        .where(
          and(
            eq(workroomMembersTable.workroomId, workroomId),
            onlyUserIds ? inArray(workroomMembersTable.userId, [...onlyUserIds]) : undefined,
          ),
        )
        .orderBy(asc(workroomMembersTable.createdAt), asc(workroomMembersTable.userId))
    },
  }
}
