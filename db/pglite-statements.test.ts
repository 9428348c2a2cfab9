// The embedded database's one-call statements answer exactly what PGlite's own query does,
// fail the same way, keep transactions whole, and survive a session reset.
import { PGlite, protocol, types } from '@electric-sql/pglite'
import t from 'tap'
import { arrayText } from './client.js'
import { readMessages } from './pglite-messages.js'
import { withPreparedStatements } from './pglite-statements.js'

// One database for the file (starting PGlite costs seconds); each test gets the table anew.
const pg = await PGlite.create()
t.teardown(() => pg.close())

async function database() {
  await pg.exec(`
    drop table if exists items;
    create table items (
      id int primary key, name text, price bigint, ratio numeric, ok boolean, at timestamptz,
      day date, data bytea, meta jsonb, tags text[]
    )`)
  // Each test starts with nothing prepared, as on a new database.
  const statements = withPreparedStatements(pg)
  await statements.query('discard all')
  return { pg, statements }
}

const row = [
  1,
  'Logo design',
  123456789012n,
  '1.50',
  true,
  new Date('2026-11-24T09:00:00.000Z'),
  '2026-11-24',
  new Uint8Array([0, 1, 254, 255]),
  { rush: true },
  ['a', 'b'],
]
const insert = 'insert into items values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)'

t.test('every column type reads back as PGlite itself reads it, in both row modes', async (t) => {
  const { pg, statements } = await database()
  // Written by this path and by PGlite's own: every value is encoded alike.
  await statements.query(insert, row)
  await pg.query(insert, [2, ...row.slice(1)])
  await statements.query(insert, [3, null, null, null, false, null, null, null, null, null])
  await pg.query(insert, [4, null, null, null, false, null, null, null, null, null])
  const select = 'select * from items where id = any(array[$1::int, $2::int]) order by id'
  for (const rowMode of ['object', 'array'] as const) {
    for (const pair of [
      [1, 2],
      [3, 4],
    ]) {
      const ours = await statements.query<unknown[]>(select, pair, { rowMode: 'array' })
      t.same(ours.rows[0]!.slice(1), ours.rows[1]!.slice(1), `rows ${pair.join(' and ')} hold the same values`)
    }
    const ours = await statements.query(select, [1, 3], { rowMode })
    const theirs = await pg.query(select, [1, 3], { rowMode })
    t.strictSame(ours.rows, theirs.rows, `${rowMode} rows read as PGlite reads them`)
    t.strictSame(ours.fields, theirs.fields, `${rowMode} fields`)
    t.equal(ours.rows.length, 2)
  }
  // A query's own parsers (drizzle's: dates as their text) apply to it alone.
  const asText = { rowMode: 'array' as const, parsers: { [types.TIMESTAMPTZ]: (text: string) => `at ${text}` } }
  const withParsers = await statements.query<unknown[]>('select at, day from items where id = $1', [1], asText)
  t.same(withParsers.rows, (await pg.query('select at, day from items where id = $1', [1], asText)).rows)
  t.match(withParsers.rows[0], [/^at 2026-11-24 09:00:00\+00/, new Date('2026-11-24T00:00:00.000Z')])
  t.type((await statements.query<{ at: unknown }>('select at from items where id = $1', [1])).rows[0]!.at, Date)
  // ...and a query's own serializers encode its parameters, by the type Postgres gives each.
  const upper = { serializers: { [types.TEXT]: (value: unknown) => String(value).toUpperCase() } }
  await statements.query('update items set name = $1 where id = $2', ['shouted', 3], upper)
  t.same((await pg.query('select name from items where id = 3')).rows, [{ name: 'SHOUTED' }])
  const again = await statements.query<{ name: string }>('select name from items where id = $1', [1])
  t.same(again.rows, [{ name: 'Logo design' }], 'a statement run again (prepared by then) answers the same')
  const written = await statements.query('update items set name = $1 where id = $2', ['Icon set', 1])
  t.equal(written.affectedRows, 1, 'writes report the rows they changed')
})

t.test("an answer's messages read exactly as PGlite's own parser reads them", async (t) => {
  await database()
  await pg.exec(`
    alter table items add constraint positive check (price > 0);
    create or replace function shout() returns int language plpgsql as $$
      begin raise notice 'careful: %', 'naïve'; return 1; end $$`)
  const { serialize } = protocol
  const extended = (text: string, values: unknown[] = []) => [
    serialize.parse({ text }),
    serialize.bind({ values: values as string[] }),
    serialize.describe({ type: 'P' }),
    serialize.execute({}),
    serialize.sync(),
  ]
  const answers = [
    // Rows with nulls, several bytes a character, an empty string; the row description.
    extended(`select * from (values (1, 'naïve — 日本語 🚀', null::text), (2, '', 'x')) as v(id, a, b)`),
    // A parameter description and a statement's parse, then its failure with every field.
    [
      serialize.parse({ text: 'select $1::int', name: 'probe' }),
      serialize.describe({ type: 'S', name: 'probe' }),
      serialize.sync(),
    ],
    extended(`insert into items (id, price, ok) values (9, -1, true)`),
    extended('select nothing from nowhere'),
    // A notice, then the function's answer.
    extended('select shout()'),
    extended(''),
    // A setting changed; a notification to this session; a transaction's statuses.
    extended("set application_name = 'workroom test'"),
    [serialize.query('listen ping'), serialize.sync()],
    extended("select pg_notify('ping', 'über')"),
    [serialize.query('unlisten ping'), serialize.sync()],
    extended('begin'),
    extended('select 1 / 0'),
    extended('rollback'),
    [serialize.close({ type: 'S', name: 'probe' }), serialize.sync()],
  ]
  const seen = new Set<string>()
  for (const parts of answers) {
    const bytes = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
    parts.reduce((at, part) => (bytes.set(part, at), at + part.length), 0)
    const theirs = await pg.execProtocol(bytes, { throwOnError: false })
    const ours = readMessages(theirs.data)
    t.strictSame(ours, theirs.messages, 'the same messages, field for field')
    t.same(
      ours.map((m) => m.constructor),
      theirs.messages.map((m) => m.constructor),
      'of the same classes',
    )
    for (const m of ours) seen.add(m.name === 'readyForQuery' ? `ready ${(m as { status?: string }).status}` : m.name)
  }
  for (const name of ['dataRow', 'rowDescription', 'parameterDescription', 'error', 'notice', 'emptyQuery']) {
    t.ok(seen.has(name), `an answer held ${name}`)
  }
  for (const name of ['notification', 'closeComplete', 'ready I', 'ready T', 'ready E']) {
    t.ok(seen.has(name), `an answer held ${name}`)
  }
  const error = readMessages(
    (await pg.execProtocol(new Uint8Array(answers[2]!.flatMap((p) => [...p])), { throwOnError: false })).data,
  ).find((m) => m.name === 'error')
  t.match(error, { code: '23514', constraint: 'positive', table: 'items', message: /violates check constraint/ })
  t.throws(() => readMessages(new Uint8Array([0x44, 0, 0, 0, 40, 0])), /truncated/, 'a cut answer is refused')
  // Through the statements: a notice reaches the query's own listener.
  const notices: string[] = []
  await withPreparedStatements(pg).query('select shout()', [], { onNotice: (notice) => notices.push(notice.message!) })
  t.same(notices, ['careful: naïve'])
  // An answer of several MiB, which PGlite hands over in more than one piece.
  const big = `select i, repeat('é', 300) as text from generate_series(1, $1::int) as i`
  const ours = await withPreparedStatements(pg).query<{ i: number; text: string }>(big, [8000])
  t.strictSame(ours.rows, (await pg.query(big, [8000])).rows, 'a large answer reads as PGlite reads it')
  t.equal(ours.rows.length, 8000)
  // COPY is PGlite's own query's to answer: the file it writes comes back with it.
  const copied = await withPreparedStatements(pg).query("copy (select 'a,b' as x) to '/dev/blob' with (format csv)")
  t.equal(await copied.blob?.text(), '"a,b"\n', 'COPY answers with its file')
})

t.test('a failed statement carries its code and leaves the database usable', async (t) => {
  const { statements } = await database()
  await statements.query(insert, row)
  const duplicate = await statements.query(insert, row).catch((err: unknown) => err)
  t.match(duplicate, { code: '23505', query: insert }, 'a unique violation, with the statement')
  // Parsed (so kept under its name), then failed at bind: the next call binds it again.
  const bad = 'select name from items where id = $1'
  t.match(await statements.query(bad, ['not a number']).catch((err: unknown) => err), { code: '22P02' })
  t.same((await statements.query(bad, [1])).rows, [{ name: 'Logo design' }], 'the same text runs after a failure')
  t.match(await statements.query('select nothing from nowhere').catch((err: unknown) => err), { code: '42P01' })
  t.same((await statements.query('select count(*)::int as n from items')).rows, [{ n: 1 }])
})

t.test('a transaction commits whole or not at all; outside statements wait for it', async (t) => {
  const { statements } = await database()
  const failed = await statements
    .transaction(async (tx) => {
      await tx.query(insert, row)
      await tx.query('select 1 / 0')
    })
    .catch((err: unknown) => err)
  t.match(failed, { code: '22012' })
  t.same((await statements.query('select count(*)::int as n from items')).rows, [{ n: 0 }], 'rolled back')

  let release!: () => void
  const held = statements.transaction(async (tx) => {
    await tx.query(insert, row)
    await new Promise<void>((resolve) => (release = resolve))
    throw new Error('the client changed its mind')
  })
  await new Promise((resolve) => setTimeout(resolve, 20))
  const outside = statements.query<{ n: number }>('select count(*)::int as n from items')
  await new Promise((resolve) => setTimeout(resolve, 50))
  release()
  await t.rejects(held, /changed its mind/)
  t.same(
    (await outside).rows,
    [{ n: 0 }],
    'a statement sent during the transaction ran after it ended: it never saw the row rolled back',
  )
  await statements.transaction(async (tx) => {
    await tx.query(insert, row)
  })

  // A savepoint's failure rolls back to it; the transaction goes on.
  await statements.transaction(async (tx) => {
    await tx.query('savepoint sp1')
    await tx.query('select 1 / 0').catch(() => tx.query('rollback to savepoint sp1'))
    await tx.query('update items set name = $1 where id = $2', ['After the savepoint', 1])
  })
  t.same((await statements.query('select name from items')).rows, [{ name: 'After the savepoint' }])
})

t.test('after discard all (the test helper between tests) statements are prepared again', async (t) => {
  const { pg, statements } = await database()
  await statements.query(insert, row)
  const select = 'select name from items where id = $1'
  t.same((await statements.query(select, [1])).rows, [{ name: 'Logo design' }])
  await statements.query('discard all')
  t.same((await statements.query(select, [1])).rows, [{ name: 'Logo design' }], 'through this wrapper')
  // A second wrapper of the same database knows what the first prepared.
  t.same((await withPreparedStatements(pg).query(select, [1])).rows, [{ name: 'Logo design' }])
})

t.test('a reset it did not see, a partial one, a changed table: statements are parsed again', async (t) => {
  const { pg, statements } = await database()
  await statements.query(insert, row)
  const all = 'select * from items order by id'
  const names = 'select name from items where id = $1'
  t.equal((await statements.query(all)).fields.length, 10)
  t.same((await statements.query(names, [1])).rows, [{ name: 'Logo design' }])

  await statements.query('discard plans')
  await statements.query('prepare mine as select 1')
  await statements.query('deallocate mine')
  t.same((await statements.query(names, [1])).rows, [{ name: 'Logo design' }], 'a partial reset forgets nothing')
  await pg.exec('deallocate all')
  t.same((await statements.query(names, [1])).rows, [{ name: 'Logo design' }], 'after a reset sent around it')
  await pg.exec('alter table items add column note text')
  const wider = await statements.query<Record<string, unknown>>(all)
  t.equal(wider.fields.length, 11, 'a table that gained a column is read whole')
  t.equal(wider.rows[0]!.note, null)
  // Inside a transaction a stale statement fails it (nothing is retried there); the next try works.
  await pg.exec('deallocate all')
  await t.rejects(statements.transaction((tx) => tx.query(names, [1])))
  t.same(await statements.transaction(async (tx) => (await tx.query(names, [1])).rows), [{ name: 'Logo design' }])
})

t.test('past its limit the least recently used statement is closed', async (t) => {
  const { pg } = await database()
  const statements = withPreparedStatements(pg, { maxPrepared: 2 })
  const prepared = async () =>
    (await pg.query<{ n: number }>('select count(*)::int as n from pg_prepared_statements')).rows[0]!.n
  await statements.query(insert, row)
  for (let i = 0; i < 5; i++) {
    t.same((await statements.query(`select id + ${i} as n from items`)).rows, [{ n: 1 + i }])
    t.ok((await prepared()) <= 2, `at most two kept after ${i + 1} texts`)
  }
  t.same((await statements.query('select id + 0 as n from items')).rows, [{ n: 1 }], 'an evicted text runs again')
})

t.test('a list as one array parameter: as Postgres reads it, and refused where it would need quoting', async (t) => {
  const { statements } = await database()
  const ids = ['6f1c1d56-4a51-4a55-9e36-5e0c4c7a3c11', '0b8e5f7a-3c1d-4e7b-8a2f-1d9c6b5e4a30']
  const read = await statements.query<{ ids: string[]; n: number[] }>('select $1::uuid[] as ids, $2::bigint[] as n', [
    arrayText(ids),
    arrayText([1, 20, 300]),
  ])
  t.strictSame(read.rows, [{ ids, n: [1, 20, 300] }])
  t.equal(arrayText([]), '{}')
  for (const bad of ['a,b', 'a b', '"a"', '{a}', 'a\\b', ''])
    t.throws(() => arrayText([bad]), /needs quoting/, JSON.stringify(bad))
})
