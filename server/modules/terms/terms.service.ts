import { createHash } from 'node:crypto'
import * as Y from 'yjs'
import type { Database, Executor } from '../../../db/client.js'
import { canonicalJson } from '../../../common/canonical-json.js'
import { readTerms, type TermsData } from '../../../common/terms.js'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import type { Realtime } from '../../plugins/realtime.js'
import { appendActivity } from '../activity/activity.service.js'
import { termsErrors } from './terms.errors.js'
import { createTermsRepository, type ContractRow, type TermsVersionRow } from './terms.repository.js'
import { validateDraft } from './terms.validation.js'

export const termsDocName = (contractId: string) => `contract:${contractId}:terms`

/** Called inside the binding transaction (e.g. the money module creates the milestones). */
export type TermsBoundHandler = (tx: Executor, event: { contractId: string; version: number; terms: TermsData }) => Promise<void>

const closedStates = new Set(['ended', 'declined', 'expired'])

export interface TermsVersionView {
  version: number
  hash: string
  terms: TermsData
  proposedBy: string | null
  clientAcceptedAt: string | null
  freelancerAcceptedAt: string | null
  boundAt: string | null
  createdAt: string
}

export function toVersionView(row: TermsVersionRow): TermsVersionView {
  return {
    version: row.version,
    hash: row.hash,
    terms: row.terms as TermsData,
    proposedBy: row.proposedBy,
    clientAcceptedAt: row.clientAcceptedAt?.toISOString() ?? null,
    freelancerAcceptedAt: row.freelancerAcceptedAt?.toISOString() ?? null,
    boundAt: row.boundAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  }
}

/**
 * Terms versions: freeze the live draft (propose), accept the other party's version
 * (binds), list every version. Binding writes immutable rows, mirrors the values on the
 * contract, logs activity and runs the onBound handlers, all in one transaction.
 *
 * How this relates to the contract offer: accepting the offer (`POST /contracts/:id/accept`)
 * binds the offer's initial terms, which the contract mirrors; `boundTermsVersion` stays
 * null until a co-edited version binds, which then replaces them. Versions can be
 * proposed and bound while the contract is offered, active or paused; only the newest
 * version can be accepted (an older one answers 409 `terms.superseded`).
 */
export function createTermsService(deps: {
  db: Database
  clock: Clock
  ids: IdGenerator
  realtime: Pick<Realtime, 'read'>
  /** After terms bound (committed): refresh the live contract state. */
  afterBound?: (contractId: string) => Promise<void>
}) {
  const boundHandlers: TermsBoundHandler[] = []
  const roleOf = (contract: ContractRow, userId: string) =>
    contract.clientId === userId ? ('client' as const) : contract.freelancerId === userId ? ('freelancer' as const) : null

  async function memberContract(contractId: string, userId: string) {
    const contract = await createTermsRepository(deps.db).contract(contractId)
    const role = contract && roleOf(contract, userId)
    if (!contract || !role) throw termsErrors.contractNotFound()
    return { contract, role }
  }

  return {
    onBound(handler: TermsBoundHandler): void {
      boundHandlers.push(handler)
    },

    /** Who may open the terms document: the two parties write (read once the contract is over). */
    async documentAccess(contractId: string, userId: string): Promise<'write' | 'read' | null> {
      const contract = await createTermsRepository(deps.db).contract(contractId)
      if (!contract || !roleOf(contract, userId)) return null
      return closedStates.has(contract.state) ? 'read' : 'write'
    },

    /** The seed of a new terms document: the offer's terms. */
    async initialTerms(contractId: string): Promise<TermsData | null> {
      const contract = await createTermsRepository(deps.db).contract(contractId)
      if (!contract) return null
      const initial = (contract.initialTerms ?? {}) as Partial<TermsData> & { milestones?: Array<{ title: string; amount: number; dueDate: string | null }> }
      return {
        currency: contract.currency,
        price: initial.price ?? null,
        hourlyRate: initial.hourlyRate ?? null,
        weeklyLimitMinutes: initial.weeklyLimitMinutes ?? null,
        manualTimeAllowed: initial.manualTimeAllowed ?? false,
        milestones: (initial.milestones ?? []).map((m) => ({ title: m.title, amount: m.amount, dueDate: m.dueDate ?? '' })),
        scope: initial.scope ?? '',
      }
    },

    async list(input: { contractId: string; userId: string }): Promise<TermsVersionView[]> {
      await memberContract(input.contractId, input.userId)
      return (await createTermsRepository(deps.db).list(input.contractId)).map(toVersionView)
    },

    /** Freezes the current draft as the next version; the proposer has accepted it. */
    async propose(input: { contractId: string; userId: string }): Promise<TermsVersionView> {
      const { contract, role } = await memberContract(input.contractId, input.userId)
      if (closedStates.has(contract.state)) throw termsErrors.contractClosed()
      const { draft, snapshot } = await deps.realtime.read(termsDocName(contract.id), (doc) => ({ draft: readTerms(doc), snapshot: Y.encodeStateAsUpdate(doc) }))
      const now = deps.clock.now()
      const terms = validateDraft(draft, contract, now.toISOString().slice(0, 10))
      const json = canonicalJson(terms)
      const hash = createHash('sha256').update(json).digest('hex')
      const row = await deps.db.transaction(async (tx) => {
        const repository = createTermsRepository(tx)
        const locked = await repository.lockContract(contract.id)
        if (!locked || closedStates.has(locked.state)) throw termsErrors.contractClosed()
        const version = ((await repository.latest(contract.id))?.version ?? 0) + 1
        const inserted = await repository.insert({
          contractId: contract.id,
          version,
          proposedBy: input.userId,
          hash,
          canonicalJson: json,
          terms,
          snapshot,
          currency: terms.currency,
          price: terms.price,
          hourlyRate: terms.hourlyRate,
          weeklyLimitMinutes: terms.weeklyLimitMinutes,
          manualTimeAllowed: terms.manualTimeAllowed,
          scope: terms.scope,
          clientAcceptedAt: role === 'client' ? now : null,
          freelancerAcceptedAt: role === 'freelancer' ? now : null,
          createdAt: now,
        })
        await appendActivity(tx, deps, {
          workroomId: contract.workroomId,
          actorId: input.userId,
          type: 'terms.proposed',
          scopeFreelancerId: contract.freelancerId,
          data: { contractId: contract.id, version, hash },
        })
        return inserted
      })
      return toVersionView(row)
    },

    /** The other party accepts version N with its hash: the terms bind. */
    async accept(input: { contractId: string; userId: string; version: number; hash: string }): Promise<TermsVersionView> {
      await memberContract(input.contractId, input.userId)
      const view = await deps.db.transaction(async (tx) => {
        const repository = createTermsRepository(tx)
        const contract = await repository.lockContract(input.contractId)
        const role = contract && roleOf(contract, input.userId)
        if (!contract || !role) throw termsErrors.contractNotFound()
        if (closedStates.has(contract.state)) throw termsErrors.contractClosed()
        const row = await repository.version(contract.id, input.version)
        if (!row) throw termsErrors.versionNotFound()
        if (row.boundAt) throw termsErrors.alreadyBound()
        const latest = await repository.latest(contract.id)
        if (latest && latest.version !== row.version) throw termsErrors.superseded(undefined, { latestVersion: latest.version })
        if (row.proposedBy === input.userId || (role === 'client' ? row.clientAcceptedAt : row.freelancerAcceptedAt)) throw termsErrors.ownProposal()
        if (row.hash !== input.hash) throw termsErrors.staleHash(undefined, { hash: row.hash })
        const now = deps.clock.now()
        await repository.markAccepted(contract.id, row.version, {
          ...(role === 'client' ? { clientAcceptedAt: now } : { freelancerAcceptedAt: now }),
          boundAt: now,
        })
        const terms = row.terms as TermsData
        await repository.insertMilestones(
          terms.milestones.map((m, position) => ({ contractId: contract.id, version: row.version, position, title: m.title, amount: m.amount, dueDate: m.dueDate })),
        )
        await repository.mirrorOnContract(contract.id, {
          boundTermsVersion: row.version,
          price: terms.price,
          hourlyRate: terms.hourlyRate,
          weeklyLimitMinutes: terms.weeklyLimitMinutes,
          manualTimeAllowed: terms.manualTimeAllowed,
          updatedAt: now,
        })
        await appendActivity(tx, deps, {
          workroomId: contract.workroomId,
          actorId: input.userId,
          type: 'terms.bound',
          scopeFreelancerId: contract.freelancerId,
          data: { contractId: contract.id, version: row.version, hash: row.hash },
        })
        for (const handler of boundHandlers) await handler(tx, { contractId: contract.id, version: row.version, terms })
        return toVersionView((await repository.version(contract.id, row.version))!)
      })
      await deps.afterBound?.(input.contractId).catch(() => {})
      return view
    },
  }
}

export type TermsService = ReturnType<typeof createTermsService>
