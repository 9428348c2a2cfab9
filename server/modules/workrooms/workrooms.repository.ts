import { and, eq } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { threadsTable } from '../../../db/schema/index.js'

export function createWorkroomsRepository(db: Executor) {
  return {
    async findThreadId(workroomId: string, freelancerId: string): Promise<string | null> {
      const [row] = await db
        .select({ id: threadsTable.id })
        .from(threadsTable)
        .where(and(eq(threadsTable.workroomId, workroomId), eq(threadsTable.freelancerId, freelancerId)))
        .limit(1)
      return row?.id ?? null
    },
  }
}
