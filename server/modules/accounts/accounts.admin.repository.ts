import { and, desc, eq, ilike, or, type SQL } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { usersTable } from '../../../db/schema/index.js'
import { olderThan, type TimeIdCursor } from '../../http/page-cursor.js'
import type { UserRow } from './accounts.repository.js'

/** `%` and `_` typed by an operator are plain text in a LIKE pattern. */
const likeText = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

/** The accounts an operator looks through: newest first, by a part of the name or email, by role. */
export function createAdminUsersRepository(db: Executor) {
  return {
    async page(input: {
      q?: string
      role?: 'user' | 'operator'
      after: TimeIdCursor | null
      limit: number
    }): Promise<UserRow[]> {
      const t = usersTable
      const conditions: Array<SQL | undefined> = [olderThan(t.createdAt, t.id, input.after)]
      if (input.q) {
        const pattern = `%${likeText(input.q)}%`
        conditions.push(or(ilike(t.name, pattern), ilike(t.email, pattern)))
      }
      if (input.role) conditions.push(eq(t.role, input.role))
      return db
        .select()
        .from(t)
        .where(and(...conditions))
        .orderBy(desc(t.createdAt), desc(t.id))
        .limit(input.limit)
    },
    async setRole(id: string, role: 'user' | 'operator', at: Date): Promise<UserRow | null> {
      const [row] = await db.update(usersTable).set({ role, updatedAt: at }).where(eq(usersTable.id, id)).returning()
      return row ?? null
    },
  }
}
