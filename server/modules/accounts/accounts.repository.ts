import { and, count, eq, gt, isNull, ne, sql } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { loginFailuresTable, realtimeTicketsTable, sessionsTable, usersTable } from '../../../db/schema/index.js'

export type UserRow = typeof usersTable.$inferSelect
export type NewUserRow = typeof usersTable.$inferInsert
export type ProfileChanges = Partial<
  Pick<UserRow, 'name' | 'headline' | 'bio' | 'skills' | 'hourlyRate' | 'rateCurrency' | 'timeZone' | 'portfolioLinks'>
>

export function createAccountsRepository(db: Executor) {
  return {
    async insertUser(row: NewUserRow): Promise<UserRow | null> {
      const [user] = await db
        .insert(usersTable)
        .values(row)
        .onConflictDoNothing({ target: usersTable.email })
        .returning()
      return user ?? null
    },
    async findUserByEmail(email: string): Promise<UserRow | null> {
      const [user] = await db.select().from(usersTable).where(eq(usersTable.email, email)).limit(1)
      return user ?? null
    },
    async findUserById(id: string): Promise<UserRow | null> {
      const [user] = await db.select().from(usersTable).where(eq(usersTable.id, id)).limit(1)
      return user ?? null
    },
    async updateUser(id: string, changes: ProfileChanges & { updatedAt: Date }): Promise<UserRow | null> {
      const [user] = await db.update(usersTable).set(changes).where(eq(usersTable.id, id)).returning()
      return user ?? null
    },
    async setRole(id: string, role: 'user' | 'operator'): Promise<void> {
      await db.update(usersTable).set({ role }).where(eq(usersTable.id, id))
    },
    async insertSession(row: typeof sessionsTable.$inferInsert): Promise<void> {
      await db.insert(sessionsTable).values(row)
    },
    /** The live session for a token hash, with its user. */
    async findLiveSession(
      tokenHash: string,
      now: Date,
    ): Promise<{ sessionId: string; user: UserRow; expiresAt: Date } | null> {
      const [row] = await db
        .select({ sessionId: sessionsTable.id, user: usersTable, expiresAt: sessionsTable.expiresAt })
        .from(sessionsTable)
        .innerJoin(usersTable, eq(usersTable.id, sessionsTable.userId))
        .where(
          and(
            eq(sessionsTable.tokenHash, tokenHash),
            isNull(sessionsTable.revokedAt),
            gt(sessionsTable.expiresAt, now),
          ),
        )
        .limit(1)
      return row ?? null
    },
    /** Revokes a user's live sessions (one, or all but one, or all); returns the ids revoked. */
    async revokeSessions(
      userId: string,
      which: { sessionId?: string; exceptSessionId?: string },
      now: Date,
    ): Promise<string[]> {
      const rows = await db
        .update(sessionsTable)
        .set({ revokedAt: now })
        .where(
          and(
            eq(sessionsTable.userId, userId),
            isNull(sessionsTable.revokedAt),
            which.sessionId === undefined ? undefined : eq(sessionsTable.id, which.sessionId),
            which.exceptSessionId === undefined ? undefined : ne(sessionsTable.id, which.exceptSessionId),
          ),
        )
        .returning({ id: sessionsTable.id })
      return rows.map((row) => row.id)
    },
    /**
     * Records a ticket's nonce as used and returns its live session with the user, in one
     * statement; null when the nonce was used before or the session is not live (nothing is
     * recorded then).
     */
    async redeemTicket(ticket: {
      id: string
      nonceHash: string
      sessionId: string
      expiresAt: Date
      now: Date
    }): Promise<{ sessionId: string; user: UserRow } | null> {
      const { id, nonceHash, sessionId, expiresAt, now } = ticket
      const used = db.$with('used').as(
        db
          .insert(realtimeTicketsTable)
          .select((qb) =>
            qb
              .select({
                id: sql`${id}::uuid`.as('id'),
                tokenHash: sql`${nonceHash}`.as('token_hash'),
                sessionId: sessionsTable.id,
                expiresAt: sql`${expiresAt.toISOString()}::timestamptz`.as('expires_at'),
                usedAt: sql`${now.toISOString()}::timestamptz`.as('used_at'),
              })
              .from(sessionsTable)
              .where(
                and(eq(sessionsTable.id, sessionId), isNull(sessionsTable.revokedAt), gt(sessionsTable.expiresAt, now)),
              ),
          )
          .onConflictDoNothing({ target: realtimeTicketsTable.tokenHash })
          .returning({ sessionId: realtimeTicketsTable.sessionId }),
      )
      const [row] = await db
        .with(used)
        .select({ sessionId: sessionsTable.id, user: usersTable })
        .from(used)
        .innerJoin(sessionsTable, eq(sessionsTable.id, used.sessionId))
        .innerJoin(usersTable, eq(usersTable.id, sessionsTable.userId))
        .limit(1)
      return row ?? null
    },
    async findLiveSessionById(sessionId: string, now: Date): Promise<{ sessionId: string; user: UserRow } | null> {
      const [row] = await db
        .select({ sessionId: sessionsTable.id, user: usersTable })
        .from(sessionsTable)
        .innerJoin(usersTable, eq(usersTable.id, sessionsTable.userId))
        .where(and(eq(sessionsTable.id, sessionId), isNull(sessionsTable.revokedAt), gt(sessionsTable.expiresAt, now)))
        .limit(1)
      return row ?? null
    },
    async countRecentFailures(email: string, since: Date): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(loginFailuresTable)
        .where(and(eq(loginFailuresTable.email, email), gt(loginFailuresTable.at, since)))
      return row?.n ?? 0
    },
    async recordFailure(row: typeof loginFailuresTable.$inferInsert): Promise<void> {
      await db.insert(loginFailuresTable).values(row)
    },
  }
}

export type AccountsRepository = ReturnType<typeof createAccountsRepository>
