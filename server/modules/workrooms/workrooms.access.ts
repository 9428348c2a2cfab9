import { and, eq } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { threadsTable, workroomMembersTable, workroomsTable } from '../../../db/schema/index.js'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'

export type Membership = { role: 'client' } | { role: 'freelancer'; freelancerId: string }

/**
 * Who may see what in a workroom. Every module asks this before answering; a null
 * membership means the caller sees nothing (answer 404).
 */
export async function getMembership(db: Executor, workroomId: string, userId: string): Promise<Membership | null> {
  const [row] = await db
    .select({ role: workroomMembersTable.role })
    .from(workroomMembersTable)
    .where(and(eq(workroomMembersTable.workroomId, workroomId), eq(workroomMembersTable.userId, userId)))
    .limit(1)
  if (!row) return null
  return row.role === 'client' ? { role: 'client' } : { role: 'freelancer', freelancerId: userId }
}

/** Creates the workroom of a new job, with its client as the first member. */
export async function createWorkroom(
  tx: Executor,
  deps: { clock: Clock; ids: IdGenerator },
  input: { clientId: string },
): Promise<string> {
  const id = deps.ids.newId()
  const now = deps.clock.now()
  await tx.insert(workroomsTable).values({ id, clientId: input.clientId, createdAt: now })
  await tx
    .insert(workroomMembersTable)
    .values({ workroomId: id, userId: input.clientId, role: 'client', via: 'owner', createdAt: now })
  return id
}

/**
 * Makes a freelancer a member (on invite or proposal) and opens their private thread with
 * the client; idempotent. Returns the thread id.
 */
export async function admitFreelancer(
  tx: Executor,
  deps: { clock: Clock; ids: IdGenerator },
  input: { workroomId: string; freelancerId: string; via: 'invite' | 'proposal' },
): Promise<{ threadId: string }> {
  const now = deps.clock.now()
  await tx
    .insert(workroomMembersTable)
    .values({
      workroomId: input.workroomId,
      userId: input.freelancerId,
      role: 'freelancer',
      via: input.via,
      createdAt: now,
    })
    .onConflictDoNothing()
  await tx
    .insert(threadsTable)
    .values({ id: deps.ids.newId(), workroomId: input.workroomId, freelancerId: input.freelancerId, createdAt: now })
    .onConflictDoNothing()
  const [thread] = await tx
    .select({ id: threadsTable.id })
    .from(threadsTable)
    .where(and(eq(threadsTable.workroomId, input.workroomId), eq(threadsTable.freelancerId, input.freelancerId)))
  return { threadId: thread!.id }
}
