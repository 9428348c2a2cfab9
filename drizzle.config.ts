import { defineConfig } from 'drizzle-kit'

// Migrations are generated from db/schema and applied at start-up (and by `npm run
// db:migrate`) on PGlite and on Postgres alike.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/*.ts',
  out: './db/migrations',
})
