import { eq } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { formatMoney, MESSAGE_LOCALE } from '../../../common/money.js'
import type { Executor } from '../../../db/client.js'
import { contractsTable, jobsTable, usersTable } from '../../../db/schema/index.js'

/**
 * Amounts in notification titles: major units with the currency's sign, in one fixed locale
 * (a title is written once for every reader), e.g. `$500.00`, `€80.00`, `CA$12.50`.
 */
export const noticeMoney = (amount: bigint | number, currency: string): string =>
  formatMoney(amount, currency, MESSAGE_LOCALE)

/** A deadline in notification titles, to the minute in UTC: `20 Dec 2026, 18:00 UTC`. */
export const noticeDeadline = (date: Date): string =>
  `${date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })}, ${date.toISOString().slice(11, 16)} UTC`

/** What a notification about a contract says about it: the job, the two parties by name, its page. */
export interface ContractParties {
  contractId: string
  workroomId: string
  jobTitle: string
  currency: string
  clientId: string
  freelancerId: string
  clientName: string
  freelancerName: string
  /** The contract's page in the web app. */
  link: string
  /** A party's name; someone else (an operator) is "An operator". */
  nameOf(userId: string | null): string
  /** The other party of `userId`; both parties when `userId` is neither (a deadline, an operator). */
  othersOf(userId: string | null): string[]
  money(amount: bigint | number): string
}

/** The contract's parties and job title, read in the caller's transaction; null when it does not exist. */
export async function contractParties(executor: Executor, contractId: string): Promise<ContractParties | null> {
  const client = alias(usersTable, 'client')
  const freelancer = alias(usersTable, 'freelancer')
  const [row] = await executor
    .select({
      contract: {
        id: contractsTable.id,
        workroomId: contractsTable.workroomId,
        currency: contractsTable.currency,
        clientId: contractsTable.clientId,
        freelancerId: contractsTable.freelancerId,
      },
      jobTitle: jobsTable.title,
      clientName: client.name,
      freelancerName: freelancer.name,
    })
    .from(contractsTable)
    .innerJoin(jobsTable, eq(jobsTable.id, contractsTable.jobId))
    .innerJoin(client, eq(client.id, contractsTable.clientId))
    .innerJoin(freelancer, eq(freelancer.id, contractsTable.freelancerId))
    .where(eq(contractsTable.id, contractId))
    .limit(1)
  if (!row) return null
  const { contract } = row
  return {
    contractId: contract.id,
    workroomId: contract.workroomId,
    jobTitle: row.jobTitle,
    currency: contract.currency,
    clientId: contract.clientId,
    freelancerId: contract.freelancerId,
    clientName: row.clientName,
    freelancerName: row.freelancerName,
    link: `/contracts/${contract.id}`,
    nameOf: (userId) =>
      userId === contract.clientId
        ? row.clientName
        : userId === contract.freelancerId
          ? row.freelancerName
          : 'An operator',
    othersOf: (userId) =>
      userId === contract.clientId
        ? [contract.freelancerId]
        : userId === contract.freelancerId
          ? [contract.clientId]
          : [contract.clientId, contract.freelancerId],
    money: (amount) => noticeMoney(amount, contract.currency),
  }
}
