import { useState } from 'preact/hooks'
import type { Answer } from '../../../sdk/types.js'
import type { Contract, User } from '../../../sdk/types.js'
import { api, ok } from '../lib/api.js'
import { useEvents } from '../lib/events.js'
import { formatDate, formatDateTime } from '../lib/format.js'
import { useLoad } from '../lib/load.js'
import { errorFor, FormError, SelectField, SubmitButton, TextArea, useSubmit } from '../ui/forms.js'
import { useNotify } from '../ui/notices.js'
import { Async, Badge, Empty } from '../ui/states.js'

export type ContractFeedback = Answer<'/api/v1/contracts/{id}/feedback', 'get'>
export type FeedbackItem = ContractFeedback['items'][number]

/** What the client rates the freelancer on (weights as the server says), and the reverse. */
const FREELANCER_CRITERIA = [
  ['quality', 'Quality of work (30%)'],
  ['responsiveness', 'Responsiveness (20%)'],
  ['professionalism', 'Professionalism (15%)'],
  ['expertise', 'Expertise (15%)'],
  ['schedule', 'Kept to schedule (10%)'],
  ['cost', 'Value for the cost (10%)'],
] as const
const CLIENT_CRITERIA = [
  ['clarity', 'Clarity of requirements'],
  ['communication', 'Communication'],
  ['paymentPromptness', 'Payment promptness'],
] as const
export const CRITERIA_LABELS: Record<string, string> = Object.fromEntries(
  [...FREELANCER_CRITERIA, ...CLIENT_CRITERIA].map(([k, l]) => [k, l.replace(/ \(\d+%\)$/, '')]),
)

const STARS = ['5', '4', '3', '2', '1'] as const
const starLabel: Record<string, string> = {
  '5': '5 – excellent',
  '4': '4 – good',
  '3': '3 – fair',
  '2': '2 – poor',
  '1': '1 – very poor',
}

/** Feedback on an ended contract: the double-blind form, then both parties' revealed feedback with replies. */
export function FeedbackSection({ contract, user }: { contract: Contract; user: User }) {
  const id = contract.id
  const feedback = useLoad(() => ok(api.GET('/api/v1/contracts/{id}/feedback', { params: { path: { id } } })), [id])
  useEvents(
    (frame) => {
      if ((frame.data as { contractId?: string }).contractId === id && frame.type.startsWith('feedback.'))
        void feedback.reload()
    },
    () => void feedback.reload(),
  )
  const role = user.id === contract.clientId ? 'client' : 'freelancer'
  return (
    <section class="card spaced" data-testid="feedback" aria-labelledby="feedback-title">
      <h2 id="feedback-title">Feedback</h2>
      <Async state={feedback} label="Loading feedback…">
        {(f) => <FeedbackView data={f} role={role} user={user} onChange={() => void feedback.reload()} />}
      </Async>
    </section>
  )
}

function FeedbackView({
  data,
  role,
  user,
  onChange,
}: {
  data: ContractFeedback
  role: 'client' | 'freelancer'
  user: User
  onChange(): void
}) {
  const window = data.window
  if (!window) return <Empty>Feedback opens when the contract ends.</Empty>
  const other = role === 'client' ? 'freelancer' : 'client'
  const mine = data.items.find((i) => i.authorId === user.id)
  return (
    <>
      {window.revealedAt ? (
        <p class="muted">
          Revealed {formatDateTime(window.revealedAt)} (
          {window.revealedBy === 'both' ? 'both parties left theirs' : 'the feedback window closed'}).
        </p>
      ) : (
        <p class="muted">
          Double-blind: neither party sees the other’s feedback until both have left theirs or the window closes (
          {formatDateTime(window.closesAt)}). Feedback cannot be edited.{' '}
          {window.submitted[other] ? `The ${other} has left theirs.` : `The ${other} has not left theirs yet.`}
        </p>
      )}
      {!mine && window.open && <FeedbackForm contractId={data.contractId} rates={other} onDone={onChange} />}
      {!mine && !window.open && !window.revealedAt && <Empty>The feedback window is closed.</Empty>}
      {data.items.length > 0 && (
        <ul class="plain list" data-testid="feedback-items">
          {data.items.map((item) => (
            <FeedbackCard key={item.id} item={item} user={user} onChange={onChange} />
          ))}
        </ul>
      )}
    </>
  )
}

function FeedbackForm({
  contractId,
  rates,
  onDone,
}: {
  contractId: string
  rates: 'client' | 'freelancer'
  onDone(): void
}) {
  const notify = useNotify()
  const criteria = rates === 'freelancer' ? FREELANCER_CRITERIA : CLIENT_CRITERIA
  const [ratings, setRatings] = useState<Record<string, string>>(() =>
    Object.fromEntries(criteria.map(([k]) => [k, '5'])),
  )
  const [comment, setComment] = useState('')
  const { busy, error, run } = useSubmit()
  return (
    <form
      data-testid="feedback-form"
      onSubmit={(e) => {
        e.preventDefault()
        void run(async () => {
          const numbers = Object.fromEntries(Object.entries(ratings).map(([k, v]) => [k, Number(v)]))
          await ok(
            api.POST('/api/v1/contracts/{id}/feedback', {
              params: { path: { id: contractId } },
              body: { ratings: numbers as never, comment },
            }),
          )
          notify('Feedback saved. It shows when the other party has left theirs or the window closes.')
          onDone()
        })
      }}
    >
      <h3>Rate the {rates}</h3>
      <div class="filter-grid">
        {criteria.map(([key, label]) => (
          <SelectField
            key={key}
            id={`rating-${key}`}
            label={label}
            value={ratings[key] ?? '5'}
            onValue={(v) => setRatings({ ...ratings, [key]: v })}
            options={STARS.map((s) => ({ value: s, label: starLabel[s]! }))}
            error={errorFor(error, `ratings.${key}`) ?? errorFor(error, `ratings/${key}`)}
          />
        ))}
      </div>
      <TextArea
        id="feedback-comment"
        label="Public comment"
        rows={3}
        maxLength={5000}
        value={comment}
        onValue={setComment}
        error={errorFor(error, 'comment')}
        hint="Shown on the profile once revealed; it cannot be changed."
      />
      <FormError error={error} fields={['comment', 'ratings']} />
      <SubmitButton busy={busy} disabled={!comment.trim()}>
        Leave feedback
      </SubmitButton>
    </form>
  )
}

/** One feedback with its ratings and reply; the rated party may reply once after the reveal. */
export function FeedbackCard({
  item,
  user,
  onChange,
  showContract,
}: {
  item: FeedbackItem
  user?: User | null
  onChange?(): void
  showContract?: string
}) {
  const notify = useNotify()
  const [reply, setReply] = useState('')
  const [open, setOpen] = useState(false)
  const { busy, error, run } = useSubmit()
  const canReply =
    !!user &&
    user.id === item.subjectId &&
    item.revealed &&
    !item.reply &&
    !!item.replyUntil &&
    new Date(item.replyUntil).getTime() > Date.now()
  return (
    <li class="card" data-testid={`feedback-by-${item.authorRole}`}>
      <div class="meta">
        <strong>
          {item.authorRole === 'client' ? 'The client' : 'The freelancer'} rated the {item.subjectRole}:{' '}
          {item.score.toFixed(2)} / 5
        </strong>{' '}
        {!item.revealed && <Badge tone="info">only you see this until the reveal</Badge>}
        <span class="muted">
          {showContract ? `${showContract} · ` : ''}
          {formatDate(item.createdAt)}
        </span>
      </div>
      <p class="prose">{item.comment}</p>
      <p class="muted">
        {Object.entries(item.ratings)
          .map(([k, v]) => `${CRITERIA_LABELS[k] ?? k} ${v}`)
          .join(' · ')}
      </p>
      {item.reply && (
        <blockquote class="inset" data-testid="feedback-reply">
          <strong>Reply:</strong> {item.reply.body} <span class="muted">({formatDate(item.reply.createdAt)})</span>
        </blockquote>
      )}
      {canReply &&
        (open ? (
          <form
            onSubmit={(e) => {
              e.preventDefault()
              void run(async () => {
                await ok(
                  api.POST('/api/v1/feedback/{id}/reply', { params: { path: { id: item.id } }, body: { body: reply } }),
                )
                notify('Reply published')
                onChange?.()
              })
            }}
          >
            <TextArea
              id={`reply-${item.id}`}
              label="Your public reply"
              rows={2}
              maxLength={5000}
              value={reply}
              onValue={setReply}
              error={errorFor(error, 'body')}
              hint={`Once, until ${formatDateTime(item.replyUntil)}; it cannot be changed.`}
            />
            <FormError error={error} fields={['body']} />
            <SubmitButton busy={busy} disabled={!reply.trim()}>
              Publish reply
            </SubmitButton>
          </form>
        ) : (
          <button type="button" class="button button--small" onClick={() => setOpen(true)}>
            Reply
          </button>
        ))}
    </li>
  )
}
