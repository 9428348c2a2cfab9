// The numbers of the plan rules, apart from the schema so the web app can show them without
// loading the schema library (common/milestone-plan.ts checks them).

/** The most milestones one plan may hold. */
export const MAX_MILESTONES = 20
/** The largest amount a plan (or its total, the price) may have, in minor units. */
export const MAX_PLAN_AMOUNT = 1_000_000_000_000
export const MAX_MILESTONE_TITLE = 200
