import type { TermsData, TermsDraft } from '../../../common/terms.js'
import { termsErrors } from './terms.errors.js'

const MAX_AMOUNT = 1e13 // 100 billion in minor units: far above any real contract, far below float trouble
const isAmount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0 && v <= MAX_AMOUNT
const invalid = (field: string, message: string) => termsErrors.invalid(`${field}: ${message}`, { field })

/**
 * Turns a draft into terms that may be proposed, or throws `terms.invalid` naming the
 * first bad field (`price`, `milestones[1].amount`, ...).
 */
export function validateDraft(draft: TermsDraft, contract: { arrangement: string; currency: string }, today: string): TermsData {
  if (draft.currency !== contract.currency) throw invalid('currency', `must be the contract's currency ${contract.currency}`)
  if (typeof draft.manualTimeAllowed !== 'boolean') throw invalid('manualTimeAllowed', 'must be true or false')
  if (draft.scope.length > 50_000) throw invalid('scope', 'is longer than 50,000 characters')
  const milestones = draft.milestones.map((m, i) => {
    const field = `milestones[${i}]`
    if (typeof m.title !== 'string' || m.title.trim() === '' || m.title.length > 200) throw invalid(`${field}.title`, 'must be 1-200 characters')
    if (!isAmount(m.amount)) throw invalid(`${field}.amount`, 'must be a positive integer amount in minor units')
    if (typeof m.dueDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(m.dueDate) || Number.isNaN(Date.parse(`${m.dueDate}T00:00:00Z`)) || new Date(`${m.dueDate}T00:00:00Z`).toISOString().slice(0, 10) !== m.dueDate) {
      throw invalid(`${field}.dueDate`, 'must be a date like 2026-12-31')
    }
    if (m.dueDate <= today) throw invalid(`${field}.dueDate`, 'must be in the future')
    return { title: m.title.trim(), amount: m.amount, dueDate: m.dueDate }
  })
  if (contract.arrangement === 'fixed') {
    if (!isAmount(draft.price)) throw invalid('price', 'must be a positive integer amount in minor units')
    if (draft.hourlyRate !== null) throw invalid('hourlyRate', 'must be empty on a fixed-price contract')
    if (draft.weeklyLimitMinutes !== null) throw invalid('weeklyLimitMinutes', 'must be empty on a fixed-price contract')
    if (milestones.length === 0) throw invalid('milestones', 'a fixed-price contract needs at least one milestone')
    const sum = milestones.reduce((n, m) => n + m.amount, 0)
    if (sum !== draft.price) throw invalid('milestones', `amounts add up to ${sum}, not the price ${draft.price}`)
    return { currency: contract.currency, price: draft.price, hourlyRate: null, weeklyLimitMinutes: null, manualTimeAllowed: draft.manualTimeAllowed, milestones, scope: draft.scope }
  }
  if (!isAmount(draft.hourlyRate)) throw invalid('hourlyRate', 'must be a positive integer amount in minor units')
  if (draft.price !== null) throw invalid('price', 'must be empty on an hourly contract')
  const limit = draft.weeklyLimitMinutes
  if (limit !== null && !(typeof limit === 'number' && Number.isSafeInteger(limit) && limit > 0 && limit <= 7 * 24 * 60)) {
    throw invalid('weeklyLimitMinutes', 'must be empty (no limit) or 1-10080 minutes')
  }
  if (milestones.length > 0) throw invalid('milestones', 'an hourly contract has no milestones')
  return { currency: contract.currency, price: null, hourlyRate: draft.hourlyRate, weeklyLimitMinutes: limit as number | null, manualTimeAllowed: draft.manualTimeAllowed, milestones: [], scope: draft.scope }
}

