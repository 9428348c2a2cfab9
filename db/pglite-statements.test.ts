// The embedded database's one-call statements answer exactly what PGlite's own query does,
// fail the same way, keep transactions whole, and survive a session reset.
import { PGlite } from '@electric-sql/pglite'
import t from 'tap'
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
  // Arrays and objects take PGlite's own path; the rest the one-call path.
  await statements.query(insert, row)
  await statements.query(insert, [2, null, null, null, false, null, null, null, null, null])
  const select = 'select * from items where id = any(array[$1::int, $2::int]) order by id'
  for (const rowMode of ['object', 'array'] as const) {
    const ours = await statements.query(select, [1, 2], { rowMode })
    const theirs = await pg.query(select, [1, 2], { rowMode })
    t.same(ours.rows, theirs.rows, `${rowMode} rows`)
    t.same(ours.fields, theirs.fields, `${rowMode} fields`)
    t.equal(ours.rows.length, 2)
  }
  const again = await statements.query<{ name: string }>('select name from items where id = $1', [1])
  t.same(again.rows, [{ name: 'Logo design' }], 'a statement run again (prepared by then) answers the same')
  const written = await statements.query('update items set name = $1 where id = $2', ['Icon set', 1])
  t.equal(written.affectedRows, 1, 'writes report the rows they changed')
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
  })
  await new Promise((resolve) => setTimeout(resolve, 20))
  const outside = statements.query<{ n: number }>('select count(*)::int as n from items')
  await new Promise((resolve) => setTimeout(resolve, 50))
  release()
  await held
  t.same((await outside).rows, [{ n: 1 }], 'a statement sent during the transaction ran after its commit')

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
