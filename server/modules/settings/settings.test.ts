// Operator settings through the HTTP API: who may change them, bounds, the audit log, a
// restart, and the rule that a change applies to deadlines created after it.
import t from 'tap'
import { fieldInWords } from '../../../common/field-names.js'
import { DAY, HOUR } from '../../clock.js'
import { boundFixedContract } from '../../../test/fixtures/fixed-contract.js'
import { build } from '../../../test/helper.js'
import { balances, depositConfirmed, idem, makeOperator } from '../../../test/money.js'

t.setTimeout(180_000)

const url = '/api/v1/admin/settings'

t.test(
  'a new auto-release period applies to submissions after the change; an earlier one keeps its date',
  async (t) => {
    const ctx = await build(t)
    const { call, clock } = ctx
    const operator = await makeOperator(ctx)
    const [client, freelancer] = [await ctx.register('Cleo'), await ctx.register('Fred')]
    const { milestoneIds } = await boundFixedContract(ctx, { client, freelancer, amounts: [50_000, 30_000] })
    const [early, late] = milestoneIds as [string, string]
    await depositConfirmed(ctx, client, operator, 80_000)
    for (const id of milestoneIds) {
      const funded = await call({
        method: 'POST',
        url: `/api/v1/milestones/${id}/fund`,
        token: client.token,
        headers: idem(),
      })
      t.equal(funded.statusCode, 200)
    }
    const submit = (id: string) =>
      call({
        method: 'POST',
        url: `/api/v1/milestones/${id}/submit`,
        token: freelancer.token,
        payload: { message: 'Done' },
      })

    const first = await submit(early)
    const firstDue = new Date(clock.now().getTime() + 14 * DAY).toISOString()
    t.equal(first.json().autoReleaseAt, firstDue, 'submitted under the default: 14 days')

    clock.advance(HOUR)
    const changed = await call({ method: 'PATCH', url, token: operator.token, payload: { autoReleaseDays: 3 } })
    t.equal(changed.statusCode, 200)
    t.equal(changed.json().values.autoReleaseDays, 3)
    t.match(changed.json().changes, [
      { key: 'autoReleaseDays', oldValue: 14, newValue: 3, changedBy: { id: operator.id, name: 'Ops' } },
    ])

    clock.advance(HOUR)
    const second = await submit(late)
    const secondDue = new Date(clock.now().getTime() + 3 * DAY).toISOString()
    t.equal(second.json().autoReleaseAt, secondDue, 'submitted after the change: 3 days')
    const before = await call({ method: 'GET', url: `/api/v1/milestones/${early}`, token: client.token })
    t.equal(before.json().autoReleaseAt, firstDue, 'the earlier submission keeps its date')

    clock.set(secondDue)
    await ctx.app.scheduler.runDue()
    const state = async (id: string) =>
      (await call({ method: 'GET', url: `/api/v1/milestones/${id}`, token: client.token })).json().state
    t.equal(await state(late), 'released', 'the new deadline ran')
    t.equal(await state(early), 'submitted', 'the old one has not come yet')
    t.equal((await balances(ctx, freelancer)).earnings, 27_000)

    clock.set(firstDue)
    await ctx.app.scheduler.runDue()
    t.equal(await state(early), 'released', 'and runs on its own date')
    t.equal((await balances(ctx, freelancer)).earnings, 72_000)
  },
)

t.test('only operators read and change settings; a value out of bounds answers 400 naming it', async (t) => {
  const ctx = await build(t)
  const { call } = ctx
  const operator = await makeOperator(ctx)
  const user = await ctx.register('Uma')

  for (const request of [
    { method: 'GET' as const, url },
    { method: 'PATCH' as const, url, payload: { autoReleaseDays: 3 } },
    { method: 'GET' as const, url: `${url}/changes` },
  ]) {
    const answer = await call({ ...request, token: user.token })
    t.equal(answer.statusCode, 403, `${request.method} ${request.url} is for operators`)
    t.equal(answer.json().code, 'auth.forbidden')
    t.equal((await call(request)).statusCode, 401, 'and needs a session')
  }

  const bad: Array<[Record<string, unknown>, string]> = [
    [{ autoReleaseDays: 0 }, 'autoReleaseDays'],
    [{ autoReleaseDays: 366 }, 'autoReleaseDays'],
    [{ autoReleaseDays: 2.5 }, 'autoReleaseDays'],
    [{ autoReleaseDays: '3' }, 'autoReleaseDays'],
    [{ platformFeeBps: 5001 }, 'platformFeeBps'],
    [{ timesheetSubmitHour: 24 }, 'timesheetSubmitHour'],
    [{ statusReportDueWeekday: 7 }, 'statusReportDueWeekday'],
    [{ endWindowDays: 3, feedbackWindowDays: -1 }, 'feedbackWindowDays'],
    [{ noSuchSetting: 3 }, 'noSuchSetting'],
  ]
  for (const [payload, field] of bad) {
    const answer = await call({ method: 'PATCH', url, token: operator.token, payload })
    t.equal(answer.statusCode, 400, JSON.stringify(payload))
    t.equal(answer.json().field, field, `names ${field}`)
    t.match(answer.json().message, fieldInWords(field), 'the message names the setting in words')
  }
  const empty = await call({ method: 'PATCH', url, token: operator.token, payload: {} })
  t.equal(empty.statusCode, 400, 'an empty change is refused')

  const read = await call({ method: 'GET', url, token: operator.token })
  t.equal(read.statusCode, 200)
  t.equal(read.json().values.endWindowDays, 14, 'a refused request changed nothing, not even its valid part')
  t.equal(read.json().values.platformFeeBps, 1000)
  const item = read.json().items.find((i: { key: string }) => i.key === 'autoReleaseDays')
  t.match(item, { value: 14, default: 14, minimum: 1, maximum: 365, unit: 'days', description: /released/ })
  t.same(
    (await call({ method: 'GET', url: `${url}/changes`, token: operator.token })).json().items,
    [],
    'nothing logged',
  )
})

t.test('the audit log lists each change once, newest first; repeating a change logs nothing', async (t) => {
  const ctx = await build(t)
  const { call, clock } = ctx
  const operator = await makeOperator(ctx, 'Olga')
  const other = await makeOperator(ctx, 'Omar')

  const firstAt = clock.now().toISOString()
  const first = await call({
    method: 'PATCH',
    url,
    token: operator.token,
    payload: { platformFeeBps: 800, timesheetSubmitHour: 18 },
  })
  t.equal(first.json().changes.length, 2)
  const again = await call({
    method: 'PATCH',
    url,
    token: operator.token,
    payload: { platformFeeBps: 800, timesheetSubmitHour: 18 },
  })
  t.equal(again.statusCode, 200)
  t.same(again.json().changes, [], 'the same request again changes nothing')
  t.equal(again.json().values.platformFeeBps, 800)

  clock.advance(HOUR)
  const secondAt = clock.now().toISOString()
  await call({ method: 'PATCH', url, token: other.token, payload: { platformFeeBps: 500, timesheetSubmitHour: 18 } })

  const log = await call({ method: 'GET', url: `${url}/changes`, token: operator.token })
  t.match(log.json().items, [
    {
      key: 'platformFeeBps',
      oldValue: 800,
      newValue: 500,
      changedBy: { id: other.id, name: 'Omar' },
      changedAt: secondAt,
    },
    { changedBy: { name: 'Olga' }, changedAt: firstAt },
    { changedBy: { name: 'Olga' }, changedAt: firstAt },
  ])
  t.equal(log.json().items.length, 3, 'the repeated request and the unchanged hour left no entry')
  t.same(
    log
      .json()
      .items.slice(1)
      .map((i: { key: string; oldValue: number; newValue: number }) => [i.key, i.oldValue, i.newValue])
      .sort(),
    [
      ['platformFeeBps', 1000, 800],
      ['timesheetSubmitHour', 12, 18],
    ],
  )

  const page = await call({ method: 'GET', url: `${url}/changes?limit=2`, token: operator.token })
  t.equal(page.json().items.length, 2)
  const rest = await call({
    method: 'GET',
    url: `${url}/changes?limit=2&cursor=${page.json().nextCursor}`,
    token: operator.token,
  })
  t.equal(rest.json().items.length, 1)
  t.equal(rest.json().nextCursor, null)
  const fees = await call({ method: 'GET', url: `${url}/changes?key=platformFeeBps`, token: operator.token })
  t.same(
    fees.json().items.map((i: { newValue: number }) => i.newValue),
    [500, 800],
  )
})

t.test('settings survive a restart; defaults come from the configuration', async (t) => {
  const env = { AUTO_RELEASE_DAYS: '10', PLATFORM_FEE_BPS: '700' }
  const first = await build(t, { env })
  const operator = await makeOperator(first)
  const defaults = (await first.call({ method: 'GET', url, token: operator.token })).json()
  t.equal(defaults.values.autoReleaseDays, 10, 'AUTO_RELEASE_DAYS sets the starting value')
  t.equal(defaults.values.platformFeeBps, 700)
  await first.call({ method: 'PATCH', url, token: operator.token, payload: { autoReleaseDays: 21 } })

  await first.app.close()
  const second = await build(t, { sameDatabaseAs: first, clock: first.clock, env })
  const read = (await second.call({ method: 'GET', url, token: operator.token })).json()
  t.equal(read.values.autoReleaseDays, 21, 'the operator’s value is kept')
  t.equal(read.values.platformFeeBps, 700, 'an unchanged setting still follows the configuration')
  t.match(
    read.items.find((i: { key: string }) => i.key === 'autoReleaseDays'),
    { value: 21, default: 10 },
  )
  t.equal((await second.call({ method: 'GET', url: `${url}/changes`, token: operator.token })).json().items.length, 1)
})
