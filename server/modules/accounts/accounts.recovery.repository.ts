import { and, eq, gt, isNull, ne } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { accountTokensTable, usersTable } from '../../../db/schema/index.js'

export type AccountTokenPurpose = 'verify_email' | 'password_reset' | 'change_email'
export type AccountTokenRow = typeof accountTokensTable.$inferSelect

/** The mailed, single-use tokens of email verification, password reset and email change. */
export function createRecoveryRepository(db: Executor) {
  return {
    async insertToken(row: typeof accountTokensTable.$inferInsert): Promise<void> {
      await db.insert(accountTokensTable).values(row)
    },
    /**
     * Uses a token: marks it used if it is live (unused, unexpired) and returns it; null when it
     * is unknown, used or expired. One statement, so two uses at once cannot both succeed.
     */
    async consumeToken(tokenHash: string, purpose: AccountTokenPurpose, now: Date): Promise<AccountTokenRow | null> {
      const [row] = await db
        .update(accountTokensTable)
        .set({ usedAt: now })
        .where(
          and(
            eq(accountTokensTable.tokenHash, tokenHash),
            eq(accountTokensTable.purpose, purpose),
            isNull(accountTokensTable.usedAt),
            gt(accountTokensTable.expiresAt, now),
          ),
        )
        .returning()
      return row ?? null
    },
    /**
     * The same statement a reset of an unknown email runs instead of storing a token, so both
     * answers do one write's worth of work (it matches no row).
     */
    async touchNothing(tokenHash: string, now: Date): Promise<void> {
      await db
        .update(accountTokensTable)
        .set({ usedAt: now })
        .where(and(eq(accountTokensTable.tokenHash, tokenHash), isNull(accountTokensTable.usedAt)))
    },
    /** Ends a user's other live tokens of one purpose (a newer link replaces older ones). */
    async retireTokens(userId: string, purpose: AccountTokenPurpose, now: Date): Promise<void> {
      await db
        .update(accountTokensTable)
        .set({ usedAt: now })
        .where(
          and(
            eq(accountTokensTable.userId, userId),
            eq(accountTokensTable.purpose, purpose),
            isNull(accountTokensTable.usedAt),
          ),
        )
    },
    async setPassword(userId: string, passwordHash: string, now: Date): Promise<void> {
      await db.update(usersTable).set({ passwordHash, updatedAt: now }).where(eq(usersTable.id, userId))
    },
    /** Marks the address verified only if it is still the user's address. */
    async markVerified(userId: string, email: string, now: Date): Promise<boolean> {
      const rows = await db
        .update(usersTable)
        .set({ emailVerifiedAt: now, updatedAt: now })
        .where(and(eq(usersTable.id, userId), eq(usersTable.email, email)))
        .returning({ id: usersTable.id })
      return rows.length > 0
    },
    /** Moves the user to a new, verified address; false when another account holds it. */
    async changeEmail(userId: string, email: string, now: Date): Promise<boolean> {
      const [taken] = await db
        .select({ id: usersTable.id })
        .from(usersTable)
        .where(and(eq(usersTable.email, email), ne(usersTable.id, userId)))
        .limit(1)
      if (taken) return false
      try {
        await db
          .update(usersTable)
          .set({ email, emailVerifiedAt: now, updatedAt: now })
          .where(eq(usersTable.id, userId))
      } catch (err) {
        // Another account took the address between the check and the write.
        if (isUniqueViolation(err)) return false
        throw err
      }
      return true
    },
  }
}

function isUniqueViolation(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } } | null)?.cause
  return (err as { code?: string } | null)?.code === '23505' || cause?.code === '23505'
}

export type RecoveryRepository = ReturnType<typeof createRecoveryRepository>
