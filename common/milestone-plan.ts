import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { MAX_MILESTONE_TITLE, MAX_MILESTONES, MAX_PLAN_AMOUNT } from './milestone-plan.limits.js'
import { formatMoney, MESSAGE_LOCALE } from './money.js'

/**
 * The one definition of a valid milestone plan: a proposal's plan (the proposal routes), the
 * live terms document when a party proposes it, and the version frozen when a client hires.
 * What a proposal accepts, the terms accept (rules in docs/contract-lifecycle.md).
 */

export { MAX_MILESTONE_TITLE, MAX_MILESTONES, MAX_PLAN_AMOUNT } from './milestone-plan.limits.js'

/** What each field must be, in words: the schema's descriptions and the error messages. */
const rules = {
  title: `must be 1-${MAX_MILESTONE_TITLE} characters`,
  amount: 'must be an amount above zero',
  dueDate: 'must be empty or a date like 2026-12-31',
  count: `must be a list of 1-${MAX_MILESTONES} milestones`,
}

export const PlannedMilestoneSchema = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: MAX_MILESTONE_TITLE, pattern: '\\S', description: rules.title }),
    amount: Type.Integer({
      minimum: 1,
      maximum: MAX_PLAN_AMOUNT,
      description: `Integer minor units of the currency, from 1 to ${MAX_PLAN_AMOUNT}`,
    }),
    dueDate: Type.Optional(
      Type.Union([Type.String({ format: 'date' }), Type.Null()], {
        description: 'Optional calendar date (YYYY-MM-DD)',
      }),
    ),
  },
  { additionalProperties: false },
)

export const MilestonePlanSchema = Type.Array(PlannedMilestoneSchema, {
  minItems: 1,
  maxItems: MAX_MILESTONES,
  description: `1-${MAX_MILESTONES} milestones whose amounts add up to the bid (the price); due dates optional`,
})

export type PlannedMilestoneInput = Static<typeof PlannedMilestoneSchema>

/** A plan that passed: titles trimmed, a missing due date is null. */
export interface PlannedMilestone {
  title: string
  amount: number
  dueDate: string | null
}

/** Why a plan is refused: `field` names the place (`milestones.1.amount`), as request validation does. */
export interface PlanIssue {
  field: string
  message: string
  /** `total`: the amounts do not add up; `shape`: a milestone or the list itself is not valid. */
  rule: 'shape' | 'total'
}

export type PlanCheck = { plan: PlannedMilestone[]; issue: null } | { plan: null; issue: PlanIssue }

/**
 * Checks a plan against the schema and its total (the bid, or the terms' price, in
 * `currency`), and returns it tidied or the first issue, its message in words with amounts in
 * major units (`$150.00`). An empty due date (a cleared date input) counts as none.
 */
export function checkMilestonePlan(
  plan: unknown,
  total: { amount: unknown; label: 'bid' | 'price'; currency: string },
): PlanCheck {
  const money = (amount: number) => formatMoney(amount, total.currency, MESSAGE_LOCALE)
  const candidate = Array.isArray(plan)
    ? plan.map((m: unknown) =>
        m && typeof m === 'object' && (m as { dueDate?: unknown }).dueDate === '' ? { ...m, dueDate: null } : m,
      )
    : plan
  const first = Value.Errors(MilestonePlanSchema, candidate)[0]
  if (first) {
    const path = first.instancePath.split('/').filter(Boolean)
    const missing =
      first.keyword === 'required'
        ? (first.params as { requiredProperties?: string[] }).requiredProperties?.[0]
        : undefined
    if (missing) path.push(missing)
    const key = path[1]
    const field = ['milestones', ...path.slice(0, 2)].join('.')
    const message =
      path.length === 0
        ? rules.count
        : key === undefined
          ? 'must be a milestone with a title and an amount'
          : key === 'amount' && first.keyword === 'maximum'
            ? `must be at most ${money(MAX_PLAN_AMOUNT)}`
            : key in rules
              ? rules[key as keyof typeof rules]
              : 'is not an accepted field'
    return { plan: null, issue: { field, message, rule: 'shape' } }
  }
  const valid = (candidate as PlannedMilestoneInput[]).map((m) => ({
    title: m.title.trim(),
    amount: m.amount,
    dueDate: m.dueDate ?? null,
  }))
  const sum = valid.reduce((n, m) => n + m.amount, 0)
  if (sum !== total.amount) {
    return {
      plan: null,
      issue: {
        field: 'milestones',
        message:
          typeof total.amount === 'number'
            ? `must add up to the ${total.label} ${money(total.amount)} (they add up to ${money(sum)})`
            : `must add up to the ${total.label} (they add up to ${money(sum)})`,
        rule: 'total',
      },
    }
  }
  return { plan: valid, issue: null }
}
