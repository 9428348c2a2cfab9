// Per actor, a sequential model of money-property.test.ts: for each drawn command, the request
// it makes, the answer (status and code) the model predicts, and the model's change on success.
import { randomUUID } from 'node:crypto'
import { release, resolve, type Command, type MActor, type MMilestone, type Side } from './money-property.model.js'

export interface Expect {
  status: number
  code?: string
}
export interface Request {
  method: 'POST'
  url: string
  token: string
  payload?: Record<string, unknown>
  key?: string
}

/** A command as the model sees it: the request, the answer it predicts, the model's change on success. */
export interface Planned {
  req: Request
  expect: Expect
  /** Runs when the answer is a success; `body` is that answer. */
  apply(body: { id: string; amount: number }): void
  touched: MMilestone | undefined
}

/** What planning a command needs from the running app. */
export interface ModelPorts {
  operatorToken: string
  /** Asks for a deposit (the command then confirms it as the operator); returns its id. */
  askDeposit(actor: MActor, amount: number): Promise<string>
}

const HOLDING = new Set(['funded', 'submitted', 'changes_requested'])
const LIVE = new Set(['open', 'answered', 'escalated'])
const part = (held: number, percent: number | undefined) =>
  percent === undefined ? undefined : Math.max(1, Math.floor((held * percent) / 100))

/** Mostly a milestone still in play, sometimes a finished one (whose commands must be refused). */
function pickMilestone(actor: MActor, pick: number): MMilestone | undefined {
  const open = actor.milestones.filter((m) => m.state !== 'released' && m.state !== 'refunded')
  const from = pick % 10 < 8 && open.length ? open : actor.milestones
  return from[Math.floor(pick / 10) % from.length]
}

/** Plans one command (any but `newContract`); null when it finds nothing to act on. */
export async function planCommand(actor: MActor, command: Command, ports: ModelPorts): Promise<Planned | null> {
  const m = pickMilestone(actor, command.pick)
  const token = (side: Side) => (side === 'client' ? actor.client.token : actor.freelancer.token)
  let req: Request | undefined
  let expect: Expect = { status: 200 }
  let apply: Planned['apply'] = () => {}

  switch (command.kind) {
    case 'deposit': {
      const depositId = await ports.askDeposit(actor, command.amount)
      req = {
        method: 'POST',
        url: `/api/v1/admin/deposits/${depositId}/confirm`,
        token: ports.operatorToken,
        key: randomUUID(),
      }
      apply = () => {
        actor.wallet += command.amount
        actor.inside += command.amount
      }
      break
    }
    case 'withdraw': {
      const amount =
        actor.earnings > 0 && command.percent !== undefined
          ? Math.max(1, Math.floor((actor.earnings * command.percent) / 100))
          : command.amount
      req = {
        method: 'POST',
        url: '/api/v1/wallet/withdrawals',
        token: actor.freelancer.token,
        payload: { amount, currency: actor.currency },
        key: randomUUID(),
      }
      if (amount > actor.earnings) expect = { status: 409, code: 'payments.insufficient_earnings' }
      else {
        expect = { status: 201 }
        apply = (body) => {
          actor.earnings -= amount
          actor.pending += amount
          actor.withdrawals.push({ id: body.id, amount: body.amount, state: 'pending' })
        }
      }
      break
    }
    case 'payout': {
      const w = actor.withdrawals[command.pick % Math.max(1, actor.withdrawals.length)]
      if (!w) return null
      const confirm = command.by === 'client'
      req = {
        method: 'POST',
        url: `/api/v1/admin/withdrawals/${w.id}/${confirm ? 'confirm' : 'reject'}`,
        token: ports.operatorToken,
        key: randomUUID(),
      }
      if (w.state !== 'pending') expect = { status: 409, code: 'payments.withdrawal_not_pending' }
      else
        apply = () => {
          w.state = confirm ? 'paid' : 'rejected'
          actor.pending -= w.amount
          if (confirm) actor.inside -= w.amount
          else actor.earnings += w.amount
        }
      break
    }
    default: {
      if (!m) return null
      const url = (action: string) => `/api/v1/milestones/${m.id}/${action}`
      const badState: Expect = { status: 409, code: 'milestones.bad_state' }
      switch (command.kind) {
        case 'fund':
          req = { method: 'POST', url: url('fund'), token: actor.client.token, key: randomUUID() }
          if (m.state !== 'pending') expect = badState
          else if (actor.wallet < m.amount) expect = { status: 409, code: 'ledger.insufficient_funds' }
          else
            apply = () => {
              actor.wallet -= m.amount
              m.held = m.amount
              m.state = 'funded'
            }
          break
        case 'submit':
          req = {
            method: 'POST',
            url: url('submit'),
            token: actor.freelancer.token,
            payload: { message: `work ${command.pick}` },
          }
          if (m.state !== 'funded' && m.state !== 'changes_requested') expect = badState
          else apply = () => void (m.state = 'submitted')
          break
        case 'requestChanges':
          req = {
            method: 'POST',
            url: url('request-changes'),
            token: actor.client.token,
            payload: { message: 'again' },
          }
          if (m.state !== 'submitted') expect = badState
          else apply = () => void (m.state = 'changes_requested')
          break
        case 'approve': {
          const amount = part(m.held, command.percent)
          req = {
            method: 'POST',
            url: url('approve'),
            token: actor.client.token,
            payload: amount === undefined ? {} : { amount },
            key: randomUUID(),
          }
          if (!HOLDING.has(m.state)) expect = badState
          else
            apply = () => {
              const gross = amount ?? m.held
              release(actor, m, gross)
              if (m.held === 0) {
                m.state = 'released'
                m.refundRequested = null
              }
            }
          break
        }
        case 'refundAsk': {
          const amount = part(m.held, command.percent)
          req = {
            method: 'POST',
            url: url('refund'),
            token: actor.client.token,
            payload: amount === undefined ? {} : { amount },
            key: randomUUID(),
          }
          if (!HOLDING.has(m.state)) expect = badState
          else {
            expect = { status: 202 }
            apply = () => void (m.refundRequested = amount ?? m.held)
          }
          break
        }
        case 'refund': {
          const explicit = part(m.held, command.percent)
          req = {
            method: 'POST',
            url: url('refund'),
            token: actor.freelancer.token,
            payload: explicit === undefined ? {} : { amount: explicit },
            key: randomUUID(),
          }
          const amount = explicit ?? m.refundRequested ?? m.held
          if (!HOLDING.has(m.state)) expect = badState
          else if (amount > m.held) expect = { status: 409, code: 'milestones.amount_exceeds_hold' }
          else
            apply = () => {
              actor.wallet += amount
              m.held -= amount
              m.refundRequested = null
              if (m.held === 0) m.state = 'refunded'
            }
          break
        }
        case 'dispute': {
          const split = part(m.held, command.percent)
          req = {
            method: 'POST',
            url: `/api/v1/milestones/${m.id}/disputes`,
            token: token(command.by),
            payload: { reason: 'disagree', ...(split === undefined ? {} : { freelancerAmount: split }) },
          }
          if (!HOLDING.has(m.state)) expect = { status: 409, code: 'disputes.milestone_not_disputable' }
          else {
            expect = { status: 201 }
            const proposal = split ?? (command.by === 'client' ? 0 : m.held)
            apply = (body) => {
              m.state = 'disputed'
              m.dispute = {
                id: body.id,
                opener: command.by,
                state: 'open',
                clientAccepts: command.by === 'client' ? proposal : null,
                freelancerAccepts: command.by === 'freelancer' ? proposal : null,
                responded: false,
              }
            }
          }
          break
        }
        case 'respond':
        case 'settle':
        case 'escalate':
        case 'decide': {
          const d = m.dispute
          if (!d) return null
          const durl = (action: string) => `/api/v1/disputes/${d.id}/${action}`
          const side = command.by
          const split = part(m.held, command.percent) ?? (command.pick % 2 === 0 ? 0 : m.held)
          const accept = (who: Side, amount: number) => {
            if (who === 'client') d.clientAccepts = amount
            else d.freelancerAccepts = amount
            if (d.clientAccepts !== null && d.clientAccepts === d.freelancerAccepts) resolve(actor, m, amount)
          }
          const live = LIVE.has(d.state)
          if (command.kind === 'respond') {
            const withSplit = command.percent !== undefined
            req = {
              method: 'POST',
              url: durl('respond'),
              token: token(side),
              payload: { message: 'answer', ...(withSplit ? { freelancerAmount: split } : {}) },
              key: randomUUID(),
            }
            if (side === d.opener) expect = { status: 403, code: 'disputes.forbidden' }
            else if (!live) expect = { status: 409, code: 'disputes.bad_state' }
            else
              apply = () => {
                d.responded = true
                if (d.state === 'open') d.state = 'answered'
                if (withSplit) accept(side, split)
              }
          } else if (command.kind === 'settle') {
            req = {
              method: 'POST',
              url: durl('settle'),
              token: token(side),
              payload: { freelancerAmount: split },
              key: randomUUID(),
            }
            if (!live) expect = { status: 409, code: 'disputes.bad_state' }
            else
              apply = () => {
                if (side !== d.opener && !d.responded) {
                  d.responded = true
                  if (d.state === 'open') d.state = 'answered'
                }
                accept(side, split)
              }
          } else if (command.kind === 'escalate') {
            req = { method: 'POST', url: durl('escalate'), token: token(side), payload: {} }
            if (d.state !== 'open' && d.state !== 'answered') expect = { status: 409, code: 'disputes.bad_state' }
            else
              apply = () => {
                d.state = 'escalated'
                if (side !== d.opener) d.responded = true
              }
          } else {
            req = {
              method: 'POST',
              url: `/api/v1/admin/disputes/${d.id}/decide`,
              token: ports.operatorToken,
              payload: { freelancerAmount: split, note: 'decided' },
              key: randomUUID(),
            }
            if (!live) expect = { status: 409, code: 'disputes.bad_state' }
            else apply = () => resolve(actor, m, split)
          }
          break
        }
      }
    }
  }
  if (!req) return null
  return { req, expect, apply, touched: m }
}
