import { and, count, eq, gt, inArray, isNull, lt, ne, sql } from 'drizzle-orm'
import { arrayText, queryRows, type Executor } from '../../../db/client.js'
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
     * Records the nonces of used tickets (several instances share the record), each only if its
     * session is live; answers, in order, whether each ticket was recorded now. A nonce already
     * recorded, or twice in one call (the first wins), answers false.
     */
    async recordTickets(
      tickets: ReadonlyArray<{ id: string; nonceHash: string; sessionId: string; expiresAt: Date; now: Date }>,
    ): Promise<boolean[]> {
      if (tickets.length === 0) return []
      const recorded = await queryRows<{ token_hash: string }>(
        db,
        sql`insert into realtime_tickets (id, token_hash, session_id, expires_at, used_at)
          select t.id, t.token_hash, s.id, t.expires_at, t.used_at
          from unnest(${arrayText(tickets.map((t) => t.id))}::uuid[], ${arrayText(tickets.map((t) => t.nonceHash))}::text[],
            ${arrayText(tickets.map((t) => t.sessionId))}::uuid[], ${arrayText(tickets.map((t) => t.expiresAt.toISOString()))}::timestamptz[],
            ${arrayText(tickets.map((t) => t.now.toISOString()))}::timestamptz[]) as t(id, token_hash, session_id, expires_at, used_at)
          join sessions s on s.id = t.session_id and s.revoked_at is null and s.expires_at > t.used_at
          on conflict (token_hash) do nothing
          returning token_hash`,
      )
      const fresh = new Set(recorded.map((row) => row.token_hash))
      return tickets.map((t) => fresh.delete(t.nonceHash))
    },
    /** The live sessions among `sessionIds`, with their users (one statement however many). */
    async findLiveSessionsById(
      sessionIds: readonly string[],
      now: Date,
    ): Promise<Array<{ sessionId: string; user: UserRow; expiresAt: Date }>> {
      if (sessionIds.length === 0) return []
      return db
        .select({ sessionId: sessionsTable.id, user: usersTable, expiresAt: sessionsTable.expiresAt })
        .from(sessionsTable)
        .innerJoin(usersTable, eq(usersTable.id, sessionsTable.userId))
        .where(
          and(
            inArray(sessionsTable.id, [...sessionIds]),
            isNull(sessionsTable.revokedAt),
            gt(sessionsTable.expiresAt, now),
          ),
        )
    },
    /**
     * Forgets the used tickets that have expired: their signature no longer opens anything,
     * so their record no longer needs to refuse them. Returns how many went.
     */
    async deleteExpiredTickets(now: Date): Promise<number> {
      // Counted in the database: the first run after an upgrade may delete millions of rows.
      const [row] = await queryRows<{ deleted: number }>(
        db,
        sql`with gone as (delete from ${realtimeTicketsTable} where ${lt(realtimeTicketsTable.expiresAt, now)} returning 1)
          select count(*)::int as deleted from gone`,
      )
      return Number(row?.deleted ?? 0)
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
