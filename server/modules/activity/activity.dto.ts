import type { ActivityRow } from './activity.repository.js'

/** An entry as the API and the workroom export show it. */
export function toActivityDto(row: ActivityRow) {
  return {
    id: row.id,
    seq: row.seq,
    type: row.type,
    actorId: row.actorId,
    scopeFreelancerId: row.scopeFreelancerId,
    data: row.data as Record<string, unknown>,
    createdAt: row.createdAt.toISOString(),
    prevHash: row.prevHash,
    hash: row.hash,
  }
}
