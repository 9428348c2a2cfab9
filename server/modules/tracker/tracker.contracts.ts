import { eq } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { contractsTable } from '../../../db/schema/index.js'
import { trackerErrors } from './tracker.errors.js'

export type HourlyContract = Pick<
  typeof contractsTable.$inferSelect,
  | 'id'
  | 'workroomId'
  | 'clientId'
  | 'freelancerId'
  | 'arrangement'
  | 'state'
  | 'currency'
  | 'hourlyRate'
  | 'weeklyLimitMinutes'
  | 'manualTimeAllowed'
  | 'offeredAt'
  | 'acceptedAt'
  | 'endedAt'
  | 'updatedAt'
>

export type ContractRole = 'client' | 'freelancer'

const columns = {
  id: contractsTable.id,
  workroomId: contractsTable.workroomId,
  clientId: contractsTable.clientId,
  freelancerId: contractsTable.freelancerId,
  arrangement: contractsTable.arrangement,
  state: contractsTable.state,
  currency: contractsTable.currency,
  hourlyRate: contractsTable.hourlyRate,
  weeklyLimitMinutes: contractsTable.weeklyLimitMinutes,
  manualTimeAllowed: contractsTable.manualTimeAllowed,
  offeredAt: contractsTable.offeredAt,
  acceptedAt: contractsTable.acceptedAt,
  endedAt: contractsTable.endedAt,
  updatedAt: contractsTable.updatedAt,
}

/** Reads the contract (the binding mirror columns are what tracking and billing use). */
export async function findContract(db: Executor, id: string): Promise<HourlyContract | null> {
  const [row] = await db.select(columns).from(contractsTable).where(eq(contractsTable.id, id)).limit(1)
  return row ?? null
}

export function roleIn(
  contract: Pick<HourlyContract, 'clientId' | 'freelancerId'>,
  userId: string,
): ContractRole | null {
  if (contract.freelancerId === userId) return 'freelancer'
  if (contract.clientId === userId) return 'client'
  return null
}

/**
 * The hourly contract as seen by `userId`: its two parties see it (also after it ended),
 * anyone else gets 404, a fixed-price contract 409.
 */
export async function contractFor(
  db: Executor,
  id: string,
  userId: string,
): Promise<{ contract: HourlyContract; role: ContractRole }> {
  const contract = await findContract(db, id)
  const role = contract ? roleIn(contract, userId) : null
  if (!contract || !role) throw trackerErrors.contractNotFound()
  if (contract.arrangement !== 'hourly') throw trackerErrors.notHourly()
  return { contract, role }
}
