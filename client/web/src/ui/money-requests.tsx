import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { CURRENCIES, type Currency } from '../../../../common/money.js'
import { formatDateTime, formatMoney } from '../lib/format.js'
import { useIdempotentSend, type IdempotentSend } from '../lib/idempotency.js'
import type { Loaded } from '../lib/load.js'
import { useConfirm } from './confirm.js'
import { errorFor, FormError, MoneyField, moneyValue, SelectField, SubmitButton, useSubmit } from './forms.js'
import { useNotify } from './notices.js'
import { Async, Empty, StateBadge } from './states.js'

// Deposits and withdrawals: the wallet asks for them, operators decide them; both screens
// show them the same way.

export interface MoneyRequest {
  id: string
  createdAt: string
  amount: number
  currency: string
}

export interface MoneyRequestColumn<T> {
  title: ComponentChildren
  cell(request: T): ComponentChildren
  class?: string
}

export const requestedColumn: MoneyRequestColumn<MoneyRequest> = {
  title: 'Requested',
  cell: (r) => formatDateTime(r.createdAt),
}
export const amountColumn: MoneyRequestColumn<MoneyRequest> = {
  title: 'Amount',
  class: 'num',
  cell: (r) => formatMoney(r.amount, r.currency),
}
export const stateColumn: MoneyRequestColumn<{ state: string }> = {
  title: 'State',
  cell: (r) => <StateBadge state={r.state} />,
}

/** A loaded list of deposits or withdrawals as a table, or `empty` when there are none. */
export function MoneyRequestTable<Page extends { items: MoneyRequest[] }>(props: {
  list: Loaded<Page>
  columns: Array<MoneyRequestColumn<Page['items'][number]>>
  empty: string
  testId?: string
}) {
  const { list, columns, empty, testId } = props
  return (
    <Async state={list}>
      {({ items }) =>
        items.length === 0 ? (
          <Empty>{empty}</Empty>
        ) : (
          <table class="table" data-testid={testId}>
            <thead>
              <tr>
                {columns.map((column, i) => (
                  <th key={i} scope="col" class={column.class}>
                    {column.title}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {items.map((request) => (
                <tr key={request.id}>
                  {columns.map((column, i) => (
                    <td key={i} class={column.class}>
                      {column.cell(request)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    </Async>
  )
}

/**
 * Asks for a deposit or a withdrawal: currency and amount (and `extra` fields). `send` passes its
 * body through `idempotent`, which keeps the Idempotency-Key only for a retry of the same body, so
 * a retry never asks twice and a corrected amount is a new request. With `confirm`, a dialog states
 * the amount and what happens before anything is sent.
 */
export function MoneyRequestForm(props: {
  title: string
  /** Prefix of the field ids ("deposit" -> "deposit-amount"). */
  idPrefix: string
  submitLabel: string
  /** The notice after success: "<noun> of $12.00 requested". */
  noun: string
  /** Fields beyond currency and amount, given the error of the last attempt. */
  extra?: (error: unknown) => ComponentChildren
  extraFields?: string[]
  /** Error codes shown on a field (not enough funds: on the amount). */
  codeFields?: Record<string, string>
  /** The confirmation's heading and text, given the amount ("$12.00"). */
  confirm?: (amount: string) => { title: string; message: string }
  send(input: { amount: number; currency: Currency }, idempotent: IdempotentSend): Promise<unknown>
  onDone(): void
}) {
  const { title, idPrefix, submitLabel, noun, extra, extraFields = [], codeFields = {}, send, onDone } = props
  const idempotent = useIdempotentSend()
  const confirm = useConfirm()
  const notify = useNotify()
  const [currency, setCurrency] = useState<Currency>('USD')
  const [amount, setAmount] = useState('')
  const { busy, error, run } = useSubmit()
  return (
    <form
      class="card stack"
      onSubmit={(e) => {
        e.preventDefault()
        const value = moneyValue(amount, currency) ?? 0
        const submit = () =>
          void run(async () => {
            await send({ amount: value, currency }, idempotent)
            notify(`${noun} of ${formatMoney(value, currency)} requested`)
            setAmount('')
            onDone()
          })
        if (props.confirm) confirm.ask({ ...props.confirm(formatMoney(value, currency)), onConfirm: submit })
        else submit()
      }}
    >
      <h2>{title}</h2>
      <div class="row">
        <SelectField
          id={`${idPrefix}-currency`}
          label="Currency"
          value={currency}
          onValue={setCurrency}
          options={CURRENCIES.map((c) => ({ value: c, label: c }))}
        />
        <MoneyField
          id={`${idPrefix}-amount`}
          label="Amount"
          currency={currency}
          value={amount}
          onValue={setAmount}
          required
          error={errorFor(error, 'amount', codeFields)}
        />
      </div>
      {extra?.(error)}
      <FormError error={error} fields={['amount', 'currency', ...extraFields]} codeFields={codeFields} />
      <SubmitButton busy={busy}>{submitLabel}</SubmitButton>
      {confirm.dialog}
    </form>
  )
}
