import { and, desc, eq, gt, isNull, lt, or } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { sessionsTable } from '../../../db/schema/index.js'
import { MINUTE } from '../../clock.js'

export type SessionRow = typeof sessionsTable.$inferSelect

/** What the session list shows about where a sign-in came from. */
export interface SessionMeta {
  userAgent?: string | null
  ip?: string | null
}

/** A session's last-seen time is written at most this often. */
export const LAST_SEEN_EVERY_MS = MINUTE

/** The session list's queries. */
export function createSessionsRepository(db: Executor) {
  return {
    /** A user's live sessions, most recently used first. */
    async listLive(userId: string, now: Date): Promise<SessionRow[]> {
      return db
        .select()
        .from(sessionsTable)
        .where(and(eq(sessionsTable.userId, userId), isNull(sessionsTable.revokedAt), gt(sessionsTable.expiresAt, now)))
        .orderBy(desc(sessionsTable.lastSeenAt), desc(sessionsTable.createdAt))
        .limit(200)
    },
    /** Sets last seen unless it was set within the last minute (another instance may have). */
    async touch(sessionId: string, now: Date): Promise<void> {
      await db
        .update(sessionsTable)
        .set({ lastSeenAt: now })
        .where(
          and(
            eq(sessionsTable.id, sessionId),
            or(
              isNull(sessionsTable.lastSeenAt),
              lt(sessionsTable.lastSeenAt, new Date(now.getTime() - LAST_SEEN_EVERY_MS)),
            ),
          ),
        )
    },
  }
}
export type SessionsRepository = ReturnType<typeof createSessionsRepository>

const browsers: [RegExp, string][] = [
  [/Edg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/OPR\/(\d+)/, 'Opera'],
  [/Firefox\/(\d+)|FxiOS\/(\d+)/, 'Firefox'],
  [/HeadlessChrome\/(\d+)/, 'Headless Chrome'],
  [/Chrom(?:e|ium)\/(\d+)|CriOS\/(\d+)/, 'Chrome'],
  [/Version\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
  [/^curl\/(\d+)/, 'curl'],
  [/^node|undici|^Node/, 'a Node.js program'],
]
const systems: [RegExp, string][] = [
  [/Windows NT/, 'Windows'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
]

/** "Firefox 128 on Linux", "Safari 17 on iOS", "curl 8", or "Unknown device". */
export function describeUserAgent(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device'
  let browser: string | null = null
  for (const [pattern, name] of browsers) {
    const match = pattern.exec(userAgent)
    if (match) {
      const version = match.slice(1).find(Boolean)
      browser = version ? `${name} ${version}` : name
      break
    }
  }
  const system = systems.find(([pattern]) => pattern.test(userAgent))?.[1]
  if (browser && system) return `${browser} on ${system}`
  return browser ?? (system ? `A browser on ${system}` : 'Unknown device')
}
