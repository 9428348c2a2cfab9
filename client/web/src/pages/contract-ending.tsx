import { useRef } from 'preact/hooks'
import type { Contract, User } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { useEvents } from '../lib/events.js'
import { formatDateTime, formatMoney } from '../lib/format.js'
import { useIdempotentSend } from '../lib/idempotency.js'
import { useLoad } from '../lib/load.js'
import { useConfirm } from '../ui/confirm.js'
import { FormError, useSubmit } from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'
import { Async, StateBadge } from '../ui/states.js'

type Hold = Awaited<ReturnType<typeof loadHolds>>['items'][number]

export const loadHolds = (contractId: string) =>
  ok(api.GET('/api/v1/contracts/{id}/holds', { params: { path: { id: contractId } } }))

/** What happens to a hold, in the words a party reads (docs/contract-lifecycle.md, "Ending a contract"). */
function ruleText(hold: Hold, role: 'client' | 'freelancer'): string {
  const when = formatDateTime(hold.deadline)
  switch (hold.rule) {
    case 'review_window':
      return `Submitted work: released to the freelancer automatically on ${when} unless the client releases it sooner or disputes it.`
    case 'end_window':
      return role === 'freelancer'
        ? `Not submitted: returns to the client's wallet on ${when} unless you open a dispute before then.`
        : `Not submitted: returns to your wallet on ${when} unless the freelancer opens a dispute before then.`
    case 'dispute':
      return hold.deadline
        ? `In dispute: the other side answers by ${when}; the dispute decides where the money goes.`
        : 'In dispute: the dispute decides where the money goes.'
    default:
      return 'Waiting for the work.'
  }
}

/** An ending contract: the money still in escrow, the rule and deadline for each hold, and the ways to settle it at once. */
export function EndingHolds({ contract, user }: { contract: Contract; user: User }) {
  const holds = useLoad(() => loadHolds(contract.id), [contract.id])
  useEvents(
    (frame) => {
      const data = frame.data as { contractId?: string }
      if (frame.type === 'contract.money' && data.contractId === contract.id) void holds.reload()
    },
    () => void holds.reload(),
  )
  const role = user.id === contract.clientId ? 'client' : 'freelancer'
  return (
    <section class="callout" aria-labelledby="ending-h" data-testid="ending-holds">
      <h2 id="ending-h">Ending: money still in escrow</h2>
      <p>
        The contract ends by itself once every hold below is settled. No new work, funding or submissions in the
        meantime.
      </p>
      <Async state={holds} label="Loading escrow…">
        {(list) =>
          list.items.length === 0 ? (
            <p class="muted">Nothing is held any more.</p>
          ) : (
            <ul class="list plain">
              {list.items.map((hold) => (
                <HoldItem key={hold.milestoneId} hold={hold} role={role} onDone={() => void holds.reload()} />
              ))}
            </ul>
          )
        }
      </Async>
    </section>
  )
}

function HoldItem({ hold, role, onDone }: { hold: Hold; role: 'client' | 'freelancer'; onDone(): void }) {
  const notify = useNotify()
  const settle = useSubmit()
  const money = formatMoney(hold.held, hold.currency)
  const send = useIdempotentSend()
  const confirm = useConfirm()
  const run = (action: 'approve' | 'refund') =>
    confirm.ask(
      action === 'approve'
        ? {
            title: `Release ${money}?`,
            message: `Release ${money} to the freelancer? This cannot be undone.`,
            onConfirm: () => finish(action, `Released ${money}`),
          }
        : {
            title: `Refund ${money}?`,
            message: `Refund ${money} to the client? It returns to the client’s wallet. This cannot be undone.`,
            onConfirm: () => finish(action, `Refunded ${money}`),
          },
    )
  const finish = (action: 'approve' | 'refund', message: string) =>
    void settle.run(async () => {
      await send({ [action]: hold.milestoneId }, (header) =>
        ok(
          api.POST(`/api/v1/milestones/{id}/${action}`, {
            params: { path: { id: hold.milestoneId }, header },
            body: {},
          }),
        ),
      )
      notify(message)
      onDone()
    })
  return (
    <li data-testid={`hold-${hold.position + 1}`} data-rule={hold.rule}>
      <div class="meta">
        <strong>{hold.title}</strong> {money} held <StateBadge state={hold.state} />
      </div>
      <p>
        {ruleText(hold, role)}
        {hold.deadline && (
          <>
            {' '}
            <span class="muted" data-testid="hold-deadline">
              (deadline {formatDateTime(hold.deadline)})
            </span>
          </>
        )}
      </p>
      {hold.state !== 'disputed' && (
        <div class="actions">
          {role === 'client' ? (
            <button type="button" class="button" disabled={settle.busy} onClick={() => run('approve')}>
              Release {money} now
            </button>
          ) : (
            <button type="button" class="button" disabled={settle.busy} onClick={() => run('refund')}>
              Refund {money} to the client now
            </button>
          )}
        </div>
      )}
      <FormError error={settle.error} />
      {confirm.dialog}
    </li>
  )
}

/**
 * "End the contract", asked first: the dialog says how much is still in escrow (read when the
 * button is pressed) and what happens to it (docs/contract-lifecycle.md, "Ending a contract").
 */
export function EndContractButton(props: { contract: Contract; disabled: boolean; onConfirm(): void }) {
  const { contract, disabled, onConfirm } = props
  const confirm = useConfirm()
  // One read at a time; the button stays enabled (and focused) so focus can return to it.
  const reading = useRef(false)
  const ask = async () => {
    if (reading.current) return
    reading.current = true
    // Without the figure (the holds could not be read) the dialog still says what happens.
    const holds = await loadHolds(contract.id).then(
      (l) => l.items,
      () => null,
    )
    reading.current = false
    const held =
      holds &&
      formatMoney(
        holds.reduce((sum, h) => sum + h.held, 0),
        contract.currency,
      )
    const money =
      holds?.length === 0
        ? 'Nothing is in escrow, so it ends now.'
        : `${held ? `${held} is still in escrow: ` : 'Money still in escrow: '}submitted work is released to the freelancer after its review window; the rest returns to the client’s wallet unless a dispute is opened.`
    confirm.ask({
      title: held && holds!.length > 0 ? `End the contract with ${held} in escrow?` : 'End the contract?',
      message: `End “${contract.jobTitle}”? Work stops. ${money} This cannot be undone.`,
      onConfirm,
    })
  }
  return (
    <>
      <button type="button" class="button button--danger" disabled={disabled} onClick={() => void ask()}>
        End the contract
      </button>
      {confirm.dialog}
    </>
  )
}
