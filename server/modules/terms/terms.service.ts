import { createHash } from 'node:crypto'
import * as Y from 'yjs'
import type { Database, Executor } from '../../../db/client.js'
import { canonicalJson } from '../../../common/canonical-json.js'
import { readTerms, type TermsData, type TermsDraft } from '../../../common/terms.js'
import type { Clock } from '../../clock.js'
import type { IdGenerator } from '../../ids.js'
import type { Realtime } from '../../plugins/realtime.js'
import { appendActivity } from '../activity/index.js'
import type { NotificationsService } from '../notifications/index.js'
import { termsErrors } from './terms.errors.js'
import { noticeTermsToAccept } from './terms.notices.js'
import { createTermsRepository, type ContractRow, type TermsVersionRow } from './terms.repository.js'
import { validateDraft } from './terms.validation.js'

export const termsDocName = (contractId: string) => `contract:${contractId}:terms`

/** Called inside the binding transaction (e.g. the money module creates the milestones). */
export type TermsBoundHandler = (
  tx: Executor,
  event: { contractId: string; version: number; terms: TermsData },
) => Promise<void>

// An ending contract takes no new terms: no new work starts while its escrow settles.
const closedStates = new Set(['ending', 'ended', 'declined', 'expired'])

/** A contract's state change, as the contracts module reports it inside its transaction. */
export interface ContractChange {
  contract: ContractRow
  from: string | null
  to: string
}

/** The offer drafted at hire (the contract's initial terms), as a draft of the terms document. */
function offerDraft(contract: ContractRow): TermsDraft {
  const initial = (contract.initialTerms ?? {}) as Partial<TermsData>
  return {
    currency: contract.currency,
    price: initial.price ?? null,
    hourlyRate: initial.hourlyRate ?? null,
    weeklyLimitMinutes: initial.weeklyLimitMinutes ?? null,
    manualTimeAllowed: initial.manualTimeAllowed ?? false,
    milestones: (initial.milestones ?? []).map((m) => ({
      title: m.title,
      amount: m.amount,
      dueDate: m.dueDate ?? null,
    })),
    scope: initial.scope ?? '',
  }
}

/** The exact text both parties accept, and its sha256. */
function hashed(terms: TermsData): { json: string; hash: string } {
  const json = canonicalJson(terms)
  return { json, hash: createHash('sha256').update(json).digest('hex') }
}

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
 * How this relates to the contract offer (docs/contract-lifecycle.md): the hire freezes the
 * offer as version 1, accepted by the client; the freelancer's accept of the offer
 * (`POST /contracts/:id/accept`) is their acceptance, and version 1 binds in that same
 * transaction (see `contractChanged`). Later versions are co-edited and bind when both accept
 * one; they can be proposed and bound while the contract is offered, active or paused; only
 * the newest version can be accepted (an older one answers 409 `terms.superseded`).
 */
export function createTermsService(deps: {
  db: Database
  clock: Clock
  ids: IdGenerator
  realtime: Pick<Realtime, 'read'>
  notifications: Pick<NotificationsService, 'notify'>
  /** After terms bound (committed): refresh the live contract state, tell both parties' pages. */
  afterBound?: (contract: ContractRow, version: number) => Promise<void>
}) {
  const boundHandlers: TermsBoundHandler[] = []
  const roleOf = (contract: ContractRow, userId: string) =>
    contract.clientId === userId
      ? ('client' as const)
      : contract.freelancerId === userId
        ? ('freelancer' as const)
        : null

  async function memberContract(contractId: string, userId: string) {
    const contract = await createTermsRepository(deps.db).contract(contractId)
    const role = contract && roleOf(contract, userId)
    if (!contract || !role) throw termsErrors.contractNotFound()
    return { contract, role }
  }

  /** Writes `terms` as the contract's next version, accepted by whoever proposed it. Inside `tx`, the contract locked. */
  async function freeze(
    tx: Executor,
    input: {
      contract: ContractRow
      terms: TermsData
      snapshot: Uint8Array | null
      proposedBy: string
      role: 'client' | 'freelancer'
      now: Date
    },
  ): Promise<TermsVersionRow> {
    const { contract, terms, now } = input
    const repository = createTermsRepository(tx)
    const { json, hash } = hashed(terms)
    const version = ((await repository.latest(contract.id))?.version ?? 0) + 1
    const inserted = await repository.insert({
      contractId: contract.id,
      version,
      proposedBy: input.proposedBy,
      hash,
      canonicalJson: json,
      terms,
      snapshot: input.snapshot,
      currency: terms.currency,
      price: terms.price,
      hourlyRate: terms.hourlyRate,
      weeklyLimitMinutes: terms.weeklyLimitMinutes,
      manualTimeAllowed: terms.manualTimeAllowed,
      scope: terms.scope,
      clientAcceptedAt: input.role === 'client' ? now : null,
      freelancerAcceptedAt: input.role === 'freelancer' ? now : null,
      createdAt: now,
    })
    await appendActivity(tx, deps, {
      workroomId: contract.workroomId,
      actorId: input.proposedBy,
      type: 'terms.proposed',
      scopeFreelancerId: contract.freelancerId,
      data: { contractId: contract.id, version, hash },
    })
    return inserted
  }

  /**
   * The second acceptance of a version: it binds. Writes its milestone rows, mirrors it on
   * the contract, logs it and runs the onBound handlers, all in `tx` (the contract locked).
   */
  async function bind(
    tx: Executor,
    input: { contract: ContractRow; row: TermsVersionRow; userId: string; role: 'client' | 'freelancer'; now: Date },
  ): Promise<void> {
    const { contract, row, now } = input
    const repository = createTermsRepository(tx)
    await repository.markAccepted(contract.id, row.version, {
      ...(input.role === 'client' ? { clientAcceptedAt: now } : { freelancerAcceptedAt: now }),
      boundAt: now,
    })
    const terms = row.terms as TermsData
    await repository.insertMilestones(
      terms.milestones.map((m, position) => ({
        contractId: contract.id,
        version: row.version,
        position,
        title: m.title,
        amount: m.amount,
        dueDate: m.dueDate,
      })),
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

    /**
     * The seed of a new terms document: the newest frozen version (version 1, the offer, for
     * a new contract), so co-editing continues from it; the offer itself when none exists.
     */
    async initialTerms(contractId: string): Promise<TermsData | null> {
      const repository = createTermsRepository(deps.db)
      const contract = await repository.contract(contractId)
      if (!contract) return null
      const latest = await repository.latest(contract.id)
      // Unvalidated on purpose: a seed is a draft, checked when someone proposes it.
      return latest ? (latest.terms as TermsData) : (offerDraft(contract) as TermsData)
    },

    /**
     * The offer is terms version 1 (docs/contract-lifecycle.md). Hiring freezes it, accepted by
     * the client; the freelancer's accept of the offer is their acceptance and binds it,
     * unless both already bound a co-edited version while the offer was open. Runs inside the
     * contract's transaction (a ContractStateHook), so the terms bind exactly when it commits.
     */
    async contractChanged(change: ContractChange, tx: Executor): Promise<void> {
      const { contract } = change
      const offered = change.from === null && change.to === 'offered'
      const accepted = change.from === 'offered' && change.to === 'active' && contract.boundTermsVersion === null
      if (!offered && !accepted) return
      const now = deps.clock.now()
      const terms = validateDraft(offerDraft(contract), contract)
      const byClient = { contract, terms, snapshot: null, proposedBy: contract.clientId, role: 'client' as const, now }
      if (offered) {
        await freeze(tx, byClient)
        return
      }
      const { hash } = hashed(terms)
      const versions = await createTermsRepository(tx).list(contract.id)
      // A contract offered before the hire froze its offer gets that version now.
      const offer =
        versions.find((v) => v.hash === hash && v.clientAcceptedAt && !v.boundAt) ?? (await freeze(tx, byClient))
      await bind(tx, { contract, row: offer, userId: contract.freelancerId, role: 'freelancer', now })
    },

    async list(input: { contractId: string; userId: string }): Promise<TermsVersionView[]> {
      await memberContract(input.contractId, input.userId)
      return (await createTermsRepository(deps.db).list(input.contractId)).map(toVersionView)
    },

    /** Freezes the current draft as the next version; the proposer has accepted it. */
    async propose(input: { contractId: string; userId: string }): Promise<TermsVersionView> {
      const { contract, role } = await memberContract(input.contractId, input.userId)
      if (closedStates.has(contract.state)) throw termsErrors.contractClosed()
      const { draft, snapshot } = await deps.realtime.read(termsDocName(contract.id), (doc) => ({
        draft: readTerms(doc),
        snapshot: Y.encodeStateAsUpdate(doc),
      }))
      const terms = validateDraft(draft, contract)
      const row = await deps.db.transaction(async (tx) => {
        const locked = await createTermsRepository(tx).lockContract(contract.id)
        if (!locked || closedStates.has(locked.state)) throw termsErrors.contractClosed()
        const frozen = await freeze(tx, {
          contract: locked,
          terms,
          snapshot,
          proposedBy: input.userId,
          role,
          now: deps.clock.now(),
        })
        await noticeTermsToAccept(deps.notifications, tx, {
          contractId: locked.id,
          row: frozen,
          proposedBy: input.userId,
        })
        return frozen
      })
      return toVersionView(row)
    },

    /** The other party accepts version N with its hash: the terms bind. */
    async accept(input: {
      contractId: string
      userId: string
      version: number
      hash: string
    }): Promise<TermsVersionView> {
      await memberContract(input.contractId, input.userId)
      const bound = await deps.db.transaction(async (tx) => {
        const repository = createTermsRepository(tx)
        const contract = await repository.lockContract(input.contractId)
        const role = contract && roleOf(contract, input.userId)
        if (!contract || !role) throw termsErrors.contractNotFound()
        if (closedStates.has(contract.state)) throw termsErrors.contractClosed()
        const row = await repository.version(contract.id, input.version)
        if (!row) throw termsErrors.versionNotFound()
        if (row.boundAt) throw termsErrors.alreadyBound()
        const latest = await repository.latest(contract.id)
        if (latest && latest.version !== row.version)
          throw termsErrors.superseded(undefined, { latestVersion: latest.version })
        if (row.proposedBy === input.userId || (role === 'client' ? row.clientAcceptedAt : row.freelancerAcceptedAt))
          throw termsErrors.ownProposal()
        if (row.hash !== input.hash) throw termsErrors.staleHash(undefined, { hash: row.hash })
        await bind(tx, { contract, row, userId: input.userId, role, now: deps.clock.now() })
        return { contract, view: toVersionView((await repository.version(contract.id, row.version))!) }
      })
      await deps.afterBound?.(bound.contract, bound.view.version).catch(() => {})
      return bound.view
    },
  }
}

export type TermsService = ReturnType<typeof createTermsService>
