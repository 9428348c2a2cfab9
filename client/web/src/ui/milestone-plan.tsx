import { MAX_MILESTONES } from '../../../../common/milestone-plan.limits.js'
import { errorFor, MoneyField, TextField } from './forms.js'

export interface PlanRow {
  title: string
  amount: string
  dueDate: string
}

/** An editable list of milestones (title, amount, due date) for a proposal's plan. */
export function MilestonePlan({
  rows,
  onRows,
  currency,
  error,
  prefix = 'milestones',
}: {
  rows: PlanRow[]
  onRows(rows: PlanRow[]): void
  currency: string
  error?: unknown
  prefix?: string
}) {
  const update = (index: number, change: Partial<PlanRow>) =>
    onRows(rows.map((r, i) => (i === index ? { ...r, ...change } : r)))
  return (
    <fieldset class="plan">
      <legend>Milestone plan (optional)</legend>
      {rows.length === 0 && <p class="muted">No milestones: the whole bid is one payment.</p>}
      {rows.map((row, i) => (
        <div class="plan-row" key={i}>
          <TextField
            id={`${prefix}-${i}-title`}
            label={`Milestone ${i + 1}`}
            value={row.title}
            onValue={(title) => update(i, { title })}
            error={errorFor(error, `milestones.${i}.title`)}
          />
          <MoneyField
            id={`${prefix}-${i}-amount`}
            label="Amount"
            currency={currency}
            value={row.amount}
            onValue={(amount) => update(i, { amount })}
            error={errorFor(error, `milestones.${i}.amount`)}
          />
          <TextField
            id={`${prefix}-${i}-due`}
            label="Due (optional)"
            type="date"
            value={row.dueDate}
            onValue={(dueDate) => update(i, { dueDate })}
            error={errorFor(error, `milestones.${i}.dueDate`)}
          />
          <button
            type="button"
            class="link-button"
            aria-label={`Remove milestone ${i + 1}`}
            onClick={() => onRows(rows.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      {rows.length < MAX_MILESTONES ? (
        <button type="button" class="button" onClick={() => onRows([...rows, { title: '', amount: '', dueDate: '' }])}>
          Add a milestone
        </button>
      ) : (
        <p class="muted">A plan holds at most {MAX_MILESTONES} milestones.</p>
      )}
    </fieldset>
  )
}
