import { and, count, eq, gt, isNull, lt, or, sql } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import {
  recoveryCodesTable,
  signInChallengesTable,
  totpAuthenticatorsTable,
  twoFactorFailuresTable,
} from '../../../db/schema/index.js'

export type TotpRow = typeof totpAuthenticatorsTable.$inferSelect
export type ChallengeRow = typeof signInChallengesTable.$inferSelect

/** The second factor's tables: authenticators, recovery codes, sign-in challenges and failures. */
export function createTwoFactorRepository(db: Executor) {
  return {
    async findAuthenticator(userId: string, executor: Executor = db): Promise<TotpRow | null> {
      const [row] = await executor
        .select()
        .from(totpAuthenticatorsTable)
        .where(eq(totpAuthenticatorsTable.userId, userId))
        .limit(1)
      return row ?? null
    },
    /** A new pending (not yet enabled) authenticator, replacing a pending one; null when 2FA is on. */
    async savePending(userId: string, secretSealed: string, now: Date): Promise<boolean> {
      const rows = await db
        .insert(totpAuthenticatorsTable)
        .values({ userId, secretSealed, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({
          target: totpAuthenticatorsTable.userId,
          set: { secretSealed, lastUsedStep: null, createdAt: now, updatedAt: now },
          setWhere: isNull(totpAuthenticatorsTable.enabledAt),
        })
        .returning({ userId: totpAuthenticatorsTable.userId })
      return rows.length > 0
    },
    /** Turns a pending authenticator on, recording the step its first code used. */
    async enable(executor: Executor, userId: string, step: number, now: Date): Promise<boolean> {
      const rows = await executor
        .update(totpAuthenticatorsTable)
        .set({ enabledAt: now, lastUsedStep: step, updatedAt: now })
        .where(and(eq(totpAuthenticatorsTable.userId, userId), isNull(totpAuthenticatorsTable.enabledAt)))
        .returning({ userId: totpAuthenticatorsTable.userId })
      return rows.length > 0
    },
    /**
     * Records that a code of `step` was used, only if no code of this step or a later one was:
     * false means a replay (or a race with the same code), which is refused.
     */
    async useStep(userId: string, step: number, now: Date): Promise<boolean> {
      const rows = await db
        .update(totpAuthenticatorsTable)
        .set({ lastUsedStep: step, updatedAt: now })
        .where(
          and(
            eq(totpAuthenticatorsTable.userId, userId),
            or(isNull(totpAuthenticatorsTable.lastUsedStep), lt(totpAuthenticatorsTable.lastUsedStep, step)),
          ),
        )
        .returning({ userId: totpAuthenticatorsTable.userId })
      return rows.length > 0
    },
    async remove(executor: Executor, userId: string): Promise<void> {
      await executor.delete(recoveryCodesTable).where(eq(recoveryCodesTable.userId, userId))
      await executor.delete(totpAuthenticatorsTable).where(eq(totpAuthenticatorsTable.userId, userId))
    },
    async replaceRecoveryCodes(
      executor: Executor,
      rows: (typeof recoveryCodesTable.$inferInsert)[],
      userId: string,
    ): Promise<void> {
      await executor.delete(recoveryCodesTable).where(eq(recoveryCodesTable.userId, userId))
      await executor.insert(recoveryCodesTable).values(rows)
    },
    /** Marks an unused recovery code used; false when it is unknown or was used already. */
    async useRecoveryCode(userId: string, codeHash: string, now: Date): Promise<boolean> {
      const rows = await db
        .update(recoveryCodesTable)
        .set({ usedAt: now })
        .where(
          and(
            eq(recoveryCodesTable.userId, userId),
            eq(recoveryCodesTable.codeHash, codeHash),
            isNull(recoveryCodesTable.usedAt),
          ),
        )
        .returning({ id: recoveryCodesTable.id })
      return rows.length > 0
    },
    async countUnusedRecoveryCodes(userId: string): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(recoveryCodesTable)
        .where(and(eq(recoveryCodesTable.userId, userId), isNull(recoveryCodesTable.usedAt)))
      return row?.n ?? 0
    },
    async insertChallenge(row: typeof signInChallengesTable.$inferInsert): Promise<void> {
      await db.insert(signInChallengesTable).values(row)
    },
    async findLiveChallenge(tokenHash: string, now: Date): Promise<ChallengeRow | null> {
      const [row] = await db
        .select()
        .from(signInChallengesTable)
        .where(
          and(
            eq(signInChallengesTable.tokenHash, tokenHash),
            isNull(signInChallengesTable.usedAt),
            gt(signInChallengesTable.expiresAt, now),
          ),
        )
        .limit(1)
      return row ?? null
    },
    /** Ends a challenge (signed in, or too many wrong codes); false when it had ended already. */
    async consumeChallenge(id: string, now: Date): Promise<boolean> {
      const rows = await db
        .update(signInChallengesTable)
        .set({ usedAt: now })
        .where(and(eq(signInChallengesTable.id, id), isNull(signInChallengesTable.usedAt)))
        .returning({ id: signInChallengesTable.id })
      return rows.length > 0
    },
    /** One more wrong code on a challenge; its new count. */
    async failChallenge(id: string): Promise<number> {
      const [row] = await db
        .update(signInChallengesTable)
        .set({ failures: sql`${signInChallengesTable.failures} + 1` })
        .where(eq(signInChallengesTable.id, id))
        .returning({ failures: signInChallengesTable.failures })
      return row?.failures ?? 0
    },
    async countRecentFailures(userId: string, since: Date): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(twoFactorFailuresTable)
        .where(and(eq(twoFactorFailuresTable.userId, userId), gt(twoFactorFailuresTable.at, since)))
      return row?.n ?? 0
    },
    async recordFailure(row: typeof twoFactorFailuresTable.$inferInsert): Promise<void> {
      await db.insert(twoFactorFailuresTable).values(row)
    },
  }
}

export type TwoFactorRepository = ReturnType<typeof createTwoFactorRepository>
