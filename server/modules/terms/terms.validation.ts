import { checkMilestonePlan, MAX_PLAN_AMOUNT } from '../../../common/milestone-plan.js'
import { formatMoney, MESSAGE_LOCALE } from '../../../common/money.js'
import type { TermsData, TermsDraft } from '../../../common/terms.js'
import { aboutField } from '../../http/validation-errors.js'
import { termsErrors } from './terms.errors.js'

const isAmount = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v > 0 && v <= MAX_PLAN_AMOUNT
/** `terms.invalid` naming the field in words ("Milestone 2 amount must be an amount above zero"). */
const invalid = (field: string, words: string) => termsErrors.invalid(...aboutField(field, words))

/**
 * Turns a draft into terms that may be proposed, or throws `terms.invalid` naming the
 * first bad field (`price`, `milestones.1.amount`, ...). The milestones follow the same plan
 * rules as a proposal's (common/milestone-plan.ts).
 */
export function validateDraft(draft: TermsDraft, contract: { arrangement: string; currency: string }): TermsData {
  const { currency } = contract
  const amountRule = (v: unknown) =>
    typeof v === 'number' && v > MAX_PLAN_AMOUNT
      ? `must be at most ${formatMoney(MAX_PLAN_AMOUNT, currency, MESSAGE_LOCALE)}`
      : 'must be an amount above zero'
  if (draft.currency !== currency) throw invalid('currency', `must be the contract's currency ${currency}`)
  if (typeof draft.manualTimeAllowed !== 'boolean') throw invalid('manualTimeAllowed', 'must be allowed or not')
  if (draft.scope.length > 50_000) throw invalid('scope', 'is longer than 50,000 characters')
  if (contract.arrangement === 'fixed') {
    if (!isAmount(draft.price)) throw invalid('price', amountRule(draft.price))
    if (draft.hourlyRate !== null) throw invalid('hourlyRate', 'must be empty on a fixed-price contract')
    if (draft.weeklyLimitMinutes !== null)
      throw invalid('weeklyLimitMinutes', 'must be empty on a fixed-price contract')
    const { plan: milestones, issue } = checkMilestonePlan(draft.milestones, {
      amount: draft.price,
      label: 'price',
      currency,
    })
    if (issue) throw invalid(issue.field, issue.message)
    return {
      currency: contract.currency,
      price: draft.price,
      hourlyRate: null,
      weeklyLimitMinutes: null,
      manualTimeAllowed: draft.manualTimeAllowed,
      milestones,
      scope: draft.scope,
    }
  }
  if (!isAmount(draft.hourlyRate)) throw invalid('hourlyRate', amountRule(draft.hourlyRate))
  if (draft.price !== null) throw invalid('price', 'must be empty on an hourly contract')
  const limit = draft.weeklyLimitMinutes
  if (
    limit !== null &&
    !(typeof limit === 'number' && Number.isSafeInteger(limit) && limit > 0 && limit <= 7 * 24 * 60)
  ) {
    throw invalid('weeklyLimitMinutes', 'must be empty (no limit) or from 1 minute to 168 hours')
  }
  if (draft.milestones.length > 0) throw invalid('milestones', 'must be empty: an hourly contract has none')
  return {
    currency: contract.currency,
    price: null,
    hourlyRate: draft.hourlyRate,
    weeklyLimitMinutes: limit as number | null,
    manualTimeAllowed: draft.manualTimeAllowed,
    milestones: [],
    scope: draft.scope,
  }
}
