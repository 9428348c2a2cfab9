import { useState } from 'preact/hooks'
import type { Contract, Milestone, StoredFile, User } from '../../../sdk/types.js'
import { api, ApiError, ok } from '../lib/api.js'
import { useEvents } from '../lib/events.js'
import { formatDate, formatDateTime, formatMoney } from '../lib/format.js'
import { useIdempotentSend } from '../lib/idempotency.js'
import { useLoad } from '../lib/load.js'
import { errorFor, FormError, MoneyField, moneyValue, SubmitButton, TextArea, useSubmit } from '../ui/forms.js'
import { useConfirm } from '../ui/confirm.js'
import { useNotify } from '../ui/notices.js'
import { Async, Empty, StateBadge } from '../ui/states.js'
import { Uploader } from '../ui/uploader.js'

type Panel = 'submit' | 'approve' | 'changes' | 'dispute' | null

/** Fixed-price money: fund, submit, approve (all or part), ask for changes, dispute. */
export function MilestonesSection({ contract, user }: { contract: Contract; user: User }) {
  const milestones = useLoad(
    () => ok(api.GET('/api/v1/contracts/{id}/milestones', { params: { path: { id: contract.id } } })),
    [contract.id, contract.boundTermsVersion],
  )
  useEvents(
    (frame) => {
      const data = frame.data as { contractId?: string }
      if ((frame.type === 'contract.money' || frame.type === 'milestones.updated') && data.contractId === contract.id)
        void milestones.reload()
    },
    () => void milestones.reload(),
  )
  const role = user.id === contract.clientId ? 'client' : 'freelancer'
  return (
    <section class="card" aria-labelledby="milestones-h" data-testid="milestones">
      <h2 id="milestones-h">Milestones</h2>
      <Async state={milestones} label="Loading milestones…">
        {(list) =>
          list.items.length === 0 ? (
            <Empty>
              {contract.state === 'offered'
                ? 'The offer’s milestones appear here once the freelancer accepts it.'
                : 'Milestones appear here once both of you accepted the same terms version.'}
            </Empty>
          ) : (
            <ol class="list plain">
              {list.items.map((m, i) => (
                <MilestoneItem
                  key={m.id}
                  index={i + 1}
                  milestone={m}
                  contract={contract}
                  role={role}
                  onChange={(next) =>
                    milestones.set((l) => ({ ...l!, items: l!.items.map((x) => (x.id === next.id ? next : x)) }))
                  }
                />
              ))}
            </ol>
          )
        }
      </Async>
    </section>
  )
}

function MilestoneItem({
  index,
  milestone: m,
  contract,
  role,
  onChange,
}: {
  index: number
  milestone: Milestone
  contract: Contract
  role: 'client' | 'freelancer'
  onChange(m: Milestone): void
}) {
  const notify = useNotify()
  const [panel, setPanel] = useState<Panel>(null)
  const fund = useSubmit()
  const send = useIdempotentSend()
  const confirm = useConfirm()
  const active = contract.state === 'active'
  // While the contract is ending only a dispute is left here; releases and refunds are in the ending panel.
  const ending = contract.state === 'ending'
  const money = (n: number) => formatMoney(n, m.currency)
  return (
    <li class="milestone" data-testid={`milestone-${index}`}>
      <div class="meta">
        <h3>{m.title}</h3>
        <strong>{money(m.amount)}</strong> <StateBadge state={m.state} />
        {m.dueDate && <span class="muted">due {formatDate(m.dueDate)}</span>}
      </div>
      <p class="muted">
        In escrow {money(m.held)} · released {money(m.released)}
        {m.fees > 0 && ` (fees ${money(m.fees)})`}
        {m.refunded > 0 && ` · refunded ${money(m.refunded)}`}
        {m.autoReleaseAt && ` · releases automatically ${formatDateTime(m.autoReleaseAt)} unless the client acts`}
      </p>
      {m.submissions.length > 0 && (
        <details>
          <summary>Submissions ({m.submissions.length})</summary>
          <ul>
            {m.submissions.map((s) => (
              <li key={s.id}>
                {formatDateTime(s.createdAt)}: {s.message}{' '}
                {s.fileIds.length > 0 && `(${s.fileIds.length} file${s.fileIds.length === 1 ? '' : 's'})`}
                {s.outcome && ` — ${s.outcome.replace(/_/g, ' ')}${s.reviewMessage ? `: ${s.reviewMessage}` : ''}`}
              </li>
            ))}
          </ul>
        </details>
      )}
      {active && (
        <div class="actions">
          {role === 'client' && m.state === 'pending' && (
            <button
              type="button"
              class="button button--primary"
              disabled={fund.busy}
              onClick={() =>
                confirm.ask({
                  title: `Fund ${money(m.amount)}?`,
                  message: `Fund “${m.title}” with ${money(m.amount)}? It moves from your wallet into escrow and goes to the freelancer when you approve the work.`,
                  onConfirm: () =>
                    void fund.run(async () => {
                      const next = await send({ fund: m.id }, (header) =>
                        ok(
                          api.POST('/api/v1/milestones/{id}/fund', {
                            params: { path: { id: m.id }, header },
                            body: {},
                          }),
                        ),
                      )
                      notify(`${m.title} funded: ${money(m.amount)} in escrow`)
                      onChange(next)
                    }),
                })
              }
            >
              {fund.busy ? 'Funding…' : `Fund ${money(m.amount)}`}
            </button>
          )}
          {role === 'freelancer' && (m.state === 'funded' || m.state === 'changes_requested') && (
            <button
              type="button"
              class="button button--primary"
              onClick={() => setPanel(panel === 'submit' ? null : 'submit')}
            >
              Submit work
            </button>
          )}
          {role === 'client' && m.state === 'submitted' && (
            <>
              <button
                type="button"
                class="button button--primary"
                onClick={() => setPanel(panel === 'approve' ? null : 'approve')}
              >
                Approve and release
              </button>
              <button type="button" class="button" onClick={() => setPanel(panel === 'changes' ? null : 'changes')}>
                Request changes
              </button>
            </>
          )}
          {(m.state === 'funded' || m.state === 'submitted') && (
            <button
              type="button"
              class="button button--danger"
              onClick={() => setPanel(panel === 'dispute' ? null : 'dispute')}
            >
              Open a dispute
            </button>
          )}
        </div>
      )}
      {ending && (m.state === 'funded' || m.state === 'submitted' || m.state === 'changes_requested') && (
        <div class="actions">
          <button
            type="button"
            class="button button--danger"
            onClick={() => setPanel(panel === 'dispute' ? null : 'dispute')}
          >
            Open a dispute
          </button>
        </div>
      )}
      <FormError error={fund.error} />
      {confirm.dialog}
      {panel === 'submit' && (
        <SubmitWork milestone={m} contract={contract} onDone={(next) => (setPanel(null), onChange(next))} />
      )}
      {panel === 'approve' && <Approve milestone={m} onDone={(next) => (setPanel(null), onChange(next))} />}
      {panel === 'changes' && <RequestChanges milestone={m} onDone={(next) => (setPanel(null), onChange(next))} />}
      {panel === 'dispute' && <OpenDispute milestone={m} role={role} onDone={() => setPanel(null)} />}
    </li>
  )
}

function SubmitWork({
  milestone,
  contract,
  onDone,
}: {
  milestone: Milestone
  contract: Contract
  onDone(m: Milestone): void
}) {
  const notify = useNotify()
  const [message, setMessage] = useState('')
  const [files, setFiles] = useState<StoredFile[]>([])
  const { busy, error, run } = useSubmit()
  return (
    <form
      class="stack inset"
      onSubmit={(e) => {
        e.preventDefault()
        void run(async () => {
          const next = await ok(
            api.POST('/api/v1/milestones/{id}/submit', {
              params: { path: { id: milestone.id } },
              body: { message, ...(files.length ? { fileIds: files.map((f) => f.id) } : {}) },
            }),
          )
          notify('Work submitted')
          onDone(next)
        })
      }}
    >
      <TextArea
        id={`submit-${milestone.id}`}
        label="What you delivered"
        value={message}
        onValue={setMessage}
        required
        error={errorFor(error, 'message')}
      />
      {contract.threadId && (
        <Uploader
          workroomId={contract.workroomId}
          threadId={contract.threadId}
          label="Attach deliverables"
          onUploaded={(f) => setFiles((l) => [...l, f])}
        />
      )}
      {files.length > 0 && <p class="muted">Attached: {files.map((f) => f.name).join(', ')}</p>}
      <FormError error={error} fields={['message']} />
      <SubmitButton busy={busy}>Submit for approval</SubmitButton>
    </form>
  )
}

function Approve({ milestone, onDone }: { milestone: Milestone; onDone(m: Milestone): void }) {
  const notify = useNotify()
  const [partial, setPartial] = useState('')
  const { busy, error, setError, run } = useSubmit()
  const send = useIdempotentSend()
  const confirm = useConfirm()
  const held = formatMoney(milestone.held, milestone.currency)
  return (
    <form
      class="stack inset"
      onSubmit={(e) => {
        e.preventDefault()
        const amount = partial.trim() ? moneyValue(partial, milestone.currency) : undefined
        // Never read an amount that is not one as "release everything".
        if (partial.trim() && amount === undefined)
          return setError(new ApiError(400, 'amount.invalid', `Write the amount to release, e.g. ${held}`, 'amount'))
        const release = formatMoney(amount ?? milestone.held, milestone.currency)
        const rest =
          amount !== undefined && amount < milestone.held ? ` The rest of the ${held} held stays in escrow.` : ''
        confirm.ask({
          title: `Release ${release}?`,
          message: `Release ${release} to the freelancer? This cannot be undone.${rest}`,
          onConfirm: () =>
            void run(async () => {
              const body = amount !== undefined ? { amount } : {}
              const next = await send({ approve: milestone.id, body }, (header) =>
                ok(
                  api.POST('/api/v1/milestones/{id}/approve', { params: { path: { id: milestone.id }, header }, body }),
                ),
              )
              notify(`Released ${release}`)
              onDone(next)
            }),
        })
      }}
    >
      <MoneyField
        id={`approve-${milestone.id}`}
        label="Release"
        currency={milestone.currency}
        value={partial}
        onValue={setPartial}
        hint={`Leave empty to release everything held (${held}); a smaller amount releases part and keeps the rest in escrow.`}
        error={errorFor(error, 'amount')}
      />
      <FormError error={error} fields={['amount']} />
      <SubmitButton busy={busy}>Release now</SubmitButton>
      {confirm.dialog}
    </form>
  )
}

function RequestChanges({ milestone, onDone }: { milestone: Milestone; onDone(m: Milestone): void }) {
  const [message, setMessage] = useState('')
  const { busy, error, run } = useSubmit()
  return (
    <form
      class="stack inset"
      onSubmit={(e) => {
        e.preventDefault()
        void run(async () =>
          onDone(
            await ok(
              api.POST('/api/v1/milestones/{id}/request-changes', {
                params: { path: { id: milestone.id } },
                body: { message },
              }),
            ),
          ),
        )
      }}
    >
      <TextArea
        id={`changes-${milestone.id}`}
        label="What should change"
        value={message}
        onValue={setMessage}
        required
        error={errorFor(error, 'message')}
      />
      <FormError error={error} fields={['message']} />
      <SubmitButton busy={busy}>Request changes</SubmitButton>
    </form>
  )
}

function OpenDispute({
  milestone,
  role,
  onDone,
}: {
  milestone: Milestone
  role: 'client' | 'freelancer'
  onDone(): void
}) {
  const notify = useNotify()
  const [reason, setReason] = useState('')
  const [split, setSplit] = useState('')
  const { busy, error, run } = useSubmit()
  return (
    <form
      class="stack inset"
      onSubmit={(e) => {
        e.preventDefault()
        void run(async () => {
          const freelancerAmount = split.trim() ? moneyValue(split, milestone.currency) : undefined
          await ok(
            api.POST('/api/v1/milestones/{id}/disputes', {
              params: { path: { id: milestone.id } },
              body: { reason, ...(freelancerAmount !== undefined ? { freelancerAmount } : {}) },
            }),
          )
          notify('Dispute opened; release and auto-release are frozen')
          onDone()
        })
      }}
    >
      <TextArea
        id={`dispute-${milestone.id}`}
        label="Why you dispute"
        value={reason}
        onValue={setReason}
        required
        error={errorFor(error, 'reason')}
      />
      <MoneyField
        id={`dispute-split-${milestone.id}`}
        label="A split you would accept: the freelancer gets"
        currency={milestone.currency}
        value={split}
        onValue={setSplit}
        hint={
          role === 'client' ? 'Optional. The rest returns to your wallet.' : 'Optional. The rest returns to the client.'
        }
        error={errorFor(error, 'freelancerAmount')}
      />
      <FormError error={error} fields={['reason', 'freelancerAmount']} />
      <SubmitButton busy={busy}>Open the dispute</SubmitButton>
    </form>
  )
}
