// Every invoice in one place: clients, freelancers, operators and strangers list invoices
// with each filter, page through them, get totals per currency over the whole filter, and
// download the same filter as CSV.
import t from 'tap'
import { boundFixedContract } from '../../../test/fixtures/fixed-contract.js'
import { activity, createHourlyContract } from '../../../test/fixtures/hourly-contract.js'
import { parseCsv, releaseMilestone } from '../../../test/fixtures/invoices.js'
import { build, type TestUser } from '../../../test/helper.js'
import { depositConfirmed, makeOperator } from '../../../test/money.js'

t.setTimeout(240_000)

// Every step happens within a month: sessions last 30 days.

interface Item {
  id: string
  number: number | null
  displayNumber: string | null
  kind: string
  state: string
  currency: string
  total: number
  feeAmount: number
  freelancerNet: number
  contractId: string
  clientName: string
  freelancerName: string
  date: string
}
interface Page {
  items: Item[]
  nextCursor: string | null
  totals: Array<{ currency: string; count: number; total: number; feeAmount: number; freelancerNet: number }>
}

t.test('who sees which invoices, every filter, paging, totals and CSV', async (t) => {
  const ctx = await build(t)
  const { call, clock } = ctx
  clock.set('2026-03-01T09:00:00Z')
  const operator = await makeOperator(ctx)
  const [alice, bob, fay, finn, stranger] = [
    await ctx.register('Alice'),
    await ctx.register('Bob'),
    await ctx.register('Fay'),
    await ctx.register('Finn'),
    await ctx.register('Stranger'),
  ]
  // A name a spreadsheet would run as a formula.
  const formula = '=HYPERLINK("https://evil.example","Finn")'
  t.equal(
    (await call({ method: 'PATCH', url: '/api/v1/me', token: finn.token, payload: { name: formula } })).statusCode,
    200,
  )
  await depositConfirmed(ctx, alice, operator, 100_000)
  await depositConfirmed(ctx, alice, operator, 50_000, 'EUR')
  await depositConfirmed(ctx, bob, operator, 50_000)

  const aliceFay = await boundFixedContract(ctx, { client: alice, freelancer: fay, amounts: [10_000, 5_000] })
  const aliceFinn = await boundFixedContract(ctx, {
    client: alice,
    freelancer: finn,
    amounts: [7_000],
    currency: 'EUR',
  })
  const bobFay = await boundFixedContract(ctx, { client: bob, freelancer: fay, amounts: [3_000] })

  clock.set('2026-03-02T10:00:00Z')
  await releaseMilestone(ctx, alice, fay, aliceFay.milestoneIds[0]!) // paid 10,000 USD
  clock.set('2026-03-10T10:00:00Z')
  await releaseMilestone(ctx, alice, fay, aliceFay.milestoneIds[1]!) // paid 5,000 USD (voided below)
  clock.set('2026-03-20T10:00:00Z')
  await releaseMilestone(ctx, alice, finn, aliceFinn.milestoneIds[0]!) // paid 7,000 EUR
  clock.set('2026-03-25T10:00:00Z')
  await releaseMilestone(ctx, bob, fay, bobFay.milestoneIds[0]!) // paid 3,000 USD
  clock.set('2026-03-26T10:00:00Z')
  const paid = (
    await call({ method: 'GET', url: `/api/v1/invoices?contractId=${aliceFay.contractId}`, token: alice.token })
  ).json() as Page
  const second = paid.items.find((i) => i.total === 5_000)!
  const voided = await call({
    method: 'POST',
    url: `/api/v1/admin/invoices/${second.id}/void`,
    token: operator.token,
    payload: { reason: 'Billed twice' },
  })
  t.equal(voided.statusCode, 200)
  // An hourly week submitted by another pair: a draft invoice.
  clock.set('2026-03-27T18:00:00Z')
  const hourly = await createHourlyContract(ctx, { hourlyRate: 6000 })
  await call({
    method: 'PUT',
    url: `/api/v1/contracts/${hourly.contractId}/segments`,
    token: hourly.freelancer.token,
    payload: { segments: [{ start: '2026-03-27T09:00:00Z', activity: activity() }] },
  })
  clock.set('2026-03-28T09:00:00Z')
  const sheet = (
    await call({
      method: 'GET',
      url: `/api/v1/contracts/${hourly.contractId}/timesheets`,
      token: hourly.freelancer.token,
    })
  ).json().items[0]
  t.equal(
    (
      await call({
        method: 'POST',
        url: `/api/v1/timesheets/${sheet.id}/submit`,
        token: hourly.freelancer.token,
        payload: {},
      })
    ).statusCode,
    200,
  )

  const list = async (user: TestUser, query = '') => {
    const response = await call({
      method: 'GET',
      url: `/api/v1/invoices${query ? `?${query}` : ''}`,
      token: user.token,
    })
    t.equal(response.statusCode, 200, `${user.name} ${query}`)
    return response.json() as Page
  }
  const summary = (page: Page) =>
    page.items.map((i) => `${i.displayNumber ?? 'draft'} ${i.kind} ${i.state} ${i.currency} ${i.total}`)

  // Alice (a client) sees what is billed to her, newest first by invoice date; the voided
  // invoice and its credit note cancel in the totals.
  const mine = await list(alice)
  t.same(summary(mine), [
    'INV-000005 credit_note formal USD -5000',
    'INV-000003 invoice paid EUR 7000',
    'INV-000002 invoice void USD 5000',
    'INV-000001 invoice paid USD 10000',
  ])
  t.same(mine.totals, [
    { currency: 'EUR', count: 1, total: 7_000, feeAmount: 700, freelancerNet: 6_300 },
    { currency: 'USD', count: 3, total: 10_000, feeAmount: 1_000, freelancerNet: 9_000 },
  ])
  t.match(mine.items[1], {
    clientName: 'Alice',
    freelancerName: formula,
    date: '2026-03-20T10:00:00.000Z',
    contractId: aliceFinn.contractId,
  })
  t.equal(mine.nextCursor, null)

  // Fay (a freelancer) sees what she issued, to Alice and to Bob.
  t.same(summary(await list(fay)), [
    'INV-000005 credit_note formal USD -5000',
    'INV-000004 invoice paid USD 3000',
    'INV-000002 invoice void USD 5000',
    'INV-000001 invoice paid USD 10000',
  ])
  t.same(summary(await list(finn)), ['INV-000003 invoice paid EUR 7000'])
  t.same(summary(await list(bob)), ['INV-000004 invoice paid USD 3000'])
  t.same(
    summary(await list(hourly.client)),
    ['draft invoice draft USD 1000'],
    'the client sees the draft sent with the timesheet',
  )
  const nothing = await list(stranger)
  t.same(nothing, { items: [], nextCursor: null, totals: [] }, 'an unrelated user sees no invoice')
  const all = await list(operator, 'limit=100')
  t.equal(all.items.length, 6, 'an operator sees every invoice')
  t.same(
    all.totals.map((x) => [x.currency, x.count, x.total]),
    [
      ['EUR', 1, 7_000],
      ['USD', 5, 14_000],
    ],
  )

  // Filters.
  t.same(summary(await list(alice, 'state=paid')), [
    'INV-000003 invoice paid EUR 7000',
    'INV-000001 invoice paid USD 10000',
  ])
  t.same(summary(await list(alice, 'state=paid&state=void')), [
    'INV-000003 invoice paid EUR 7000',
    'INV-000002 invoice void USD 5000',
    'INV-000001 invoice paid USD 10000',
  ])
  t.same(summary(await list(operator, 'state=draft')), ['draft invoice draft USD 1000'])
  t.same(summary(await list(alice, 'kind=credit_note')), ['INV-000005 credit_note formal USD -5000'])
  const euros = await list(alice, 'currency=EUR')
  t.same(summary(euros), ['INV-000003 invoice paid EUR 7000'])
  t.same(
    euros.totals.map((x) => x.currency),
    ['EUR'],
    'totals follow the filter',
  )
  t.same(
    summary(await list(alice, 'from=2026-03-01&to=2026-03-10')),
    ['INV-000002 invoice void USD 5000', 'INV-000001 invoice paid USD 10000'],
    'a day as `to` is included',
  )
  t.same(summary(await list(alice, 'from=2026-03-10')), [
    'INV-000005 credit_note formal USD -5000',
    'INV-000003 invoice paid EUR 7000',
    'INV-000002 invoice void USD 5000',
  ])
  t.same(
    summary(await list(alice, 'to=2026-03-10T10:00:00Z')),
    ['INV-000001 invoice paid USD 10000'],
    'an instant as `to` is excluded',
  )
  t.same(summary(await list(alice, `contractId=${aliceFinn.contractId}`)), ['INV-000003 invoice paid EUR 7000'])
  t.same(summary(await list(alice, `counterpartyId=${fay.id}`)), [
    'INV-000005 credit_note formal USD -5000',
    'INV-000002 invoice void USD 5000',
    'INV-000001 invoice paid USD 10000',
  ])
  t.same(summary(await list(fay, `counterpartyId=${bob.id}`)), ['INV-000004 invoice paid USD 3000'])
  t.same(summary(await list(fay, `counterpartyId=${stranger.id}`)), [])
  t.same(
    summary(await list(operator, `counterpartyId=${finn.id}`)),
    ['INV-000003 invoice paid EUR 7000'],
    'for an operator, either party',
  )
  t.equal((await list(alice, 'role=client')).items.length, 4)
  t.same(summary(await list(alice, 'role=freelancer')), [], 'Alice issued nothing')
  t.same(summary(await list(fay, 'role=client')), [])
  t.same(summary(await list(operator, `contractId=${aliceFay.contractId}`)), [
    'INV-000005 credit_note formal USD -5000',
    'INV-000002 invoice void USD 5000',
    'INV-000001 invoice paid USD 10000',
  ])
  t.same(
    summary(
      await list(fay, `currency=USD&state=paid&from=2026-03-21&counterpartyId=${bob.id}&role=freelancer&kind=invoice`),
    ),
    ['INV-000004 invoice paid USD 3000'],
    'filters combine',
  )

  // Someone else's contract stays not found; so does a stranger's look at it.
  for (const user of [stranger, bob]) {
    const response = await call({
      method: 'GET',
      url: `/api/v1/invoices?contractId=${aliceFay.contractId}`,
      token: user.token,
    })
    t.equal(response.statusCode, 404, `${user.name} may not list another pair's contract`)
  }
  // Nor can a counterparty filter reach past the caller's own invoices.
  t.same(summary(await list(stranger, `counterpartyId=${fay.id}`)), [])
  t.equal((await call({ method: 'GET', url: '/api/v1/invoices' })).statusCode, 401)

  // Bad filters answer 400 naming the field.
  for (const [query, field] of [
    ['state=paidish', 'state'],
    ['kind=receipt', 'kind'],
    ['currency=XYZ', 'currency'],
    ['from=2026-02-30', 'from'],
    ['to=yesterday', 'to'],
    ['from=2026-04-01&to=2026-03-01', 'to'],
    ['from=1969-12-31', 'from'],
    ['counterpartyId=fay', 'counterpartyId'],
    ['contractId=42', 'contractId'],
    ['role=operator', 'role'],
    ['limit=0', 'limit'],
    ['cursor=not-a-cursor', null],
  ] as const) {
    const response = await call({ method: 'GET', url: `/api/v1/invoices?${query}`, token: alice.token })
    t.equal(response.statusCode, 400, query)
    if (field) t.match(response.json().field, new RegExp(`^${field}`), `${query} names ${field}`)
    else t.equal(response.json().code, 'request.bad_cursor')
    const csv = await call({ method: 'GET', url: `/api/v1/invoices.csv?${query}`, token: alice.token })
    if (!query.startsWith('limit') && !query.startsWith('cursor')) t.equal(csv.statusCode, 400, `csv ${query}`)
  }

  // Paging: two at a time, the same invoices in the same order, the same totals on each page.
  const pages: Page[] = []
  let cursor: string | null = null
  do {
    const page: Page = await list(operator, `limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    pages.push(page)
    cursor = page.nextCursor
  } while (cursor)
  t.same(
    pages.map((p) => p.items.length),
    [2, 2, 2],
  )
  t.same(
    pages.flatMap((p) => p.items.map((i) => i.id)),
    all.items.map((i) => i.id),
  )
  t.ok(
    pages.every((p) => JSON.stringify(p.totals) === JSON.stringify(all.totals)),
    'totals are over the whole filter, not the page',
  )
  const filteredPages = [await list(alice, 'limit=1&currency=USD')]
  filteredPages.push(
    await list(alice, `limit=1&currency=USD&cursor=${encodeURIComponent(filteredPages[0]!.nextCursor!)}`),
  )
  t.same(
    filteredPages.flatMap((p) => summary(p)),
    ['INV-000005 credit_note formal USD -5000', 'INV-000002 invoice void USD 5000'],
    'a cursor keeps its filter',
  )

  // CSV: the same rows as the list, amounts in major and minor units, formulas defused.
  const csvOf = async (user: TestUser, query = '') => {
    const response = await call({
      method: 'GET',
      url: `/api/v1/invoices.csv${query ? `?${query}` : ''}`,
      token: user.token,
    })
    t.equal(response.statusCode, 200)
    t.match(response.headers['content-type'], /^text\/csv/)
    t.match(response.headers['content-disposition'], /attachment; filename="invoices.csv"/)
    const [header, ...rows] = parseCsv(response.body)
    return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]!])))
  }
  const aliceCsv = await csvOf(alice)
  t.same(
    aliceCsv.map((r) => r.id),
    mine.items.map((i) => i.id),
    'the CSV holds the list, in its order',
  )
  t.same(
    aliceCsv.map((r) => [
      r.number,
      r.kind,
      r.state,
      r.currency,
      r.total,
      r.total_minor,
      r.fee,
      r.fee_minor,
      r.freelancer_net,
      r.freelancer_net_minor,
    ]),
    [
      ['INV-000005', 'credit_note', 'formal', 'USD', '-50.00', '-5000', '-5.00', '-500', '-45.00', '-4500'],
      ['INV-000003', 'invoice', 'paid', 'EUR', '70.00', '7000', '7.00', '700', '63.00', '6300'],
      ['INV-000002', 'invoice', 'void', 'USD', '50.00', '5000', '5.00', '500', '45.00', '4500'],
      ['INV-000001', 'invoice', 'paid', 'USD', '100.00', '10000', '10.00', '1000', '90.00', '9000'],
    ],
  )
  t.match(
    aliceCsv[1],
    {
      date: '2026-03-20T10:00:00.000Z',
      client_name: 'Alice',
      freelancer_name: `'${formula}`,
      contract_id: aliceFinn.contractId,
    },
    'a formula is shown, never run',
  )
  t.equal(aliceCsv[0]!.corrects_invoice_id, second.id)
  t.same(
    (await csvOf(alice, 'currency=EUR')).map((r) => r.id),
    euros.items.map((i) => i.id),
    'the CSV follows the filter',
  )
  t.same(
    (await csvOf(operator)).map((r) => r.id),
    all.items.map((i) => i.id),
  )
  const draftRow = (await csvOf(hourly.client))[0]
  t.match(draftRow, { number: '', state: 'draft', total: '10.00', total_minor: '1000', issued_at: '' })
  t.same(await csvOf(stranger), [], 'a stranger downloads a header and nothing else')
  t.equal(
    (
      await call({
        method: 'GET',
        url: `/api/v1/invoices.csv?contractId=${aliceFay.contractId}`,
        token: stranger.token,
      })
    ).statusCode,
    404,
  )
  t.equal((await call({ method: 'GET', url: '/api/v1/invoices.csv' })).statusCode, 401)
})
