// docker-compose.yml and .env.example agree: every variable Compose reads is documented in
// .env.example, and no password or secret key has a default (Compose refuses to start,
// naming the variable, when one is unset).
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { composeVariables } from '../server/cli/compose-variables.js'
import { configVariables } from '../server/config.js'
import { projectRoot } from './fixtures.js'

const compose = await readFile(path.join(projectRoot, 'docker-compose.yml'), 'utf8')
const example = await readFile(path.join(projectRoot, '.env.example'), 'utf8')
// `${NAME}`, `${NAME:-default}`, `${NAME:?message}`; `$${...}` is left to a container's shell.
const uses = [...compose.matchAll(/(?<!\$)\$\{([A-Z][A-Z0-9_]*)(:?[-?])?/g)].map(([, name, operator]) => ({
  name: name!,
  operator: operator ?? '',
}))

t.test('every variable docker-compose.yml reads is in .env.example', async (t) => {
  t.ok(uses.length > 10, `${uses.length} uses of variables`)
  const known = new Set([...configVariables.map((v) => v.name), ...composeVariables.map((v) => v.name)])
  for (const name of new Set(uses.map((use) => use.name))) {
    t.ok(known.has(name), `${name} is declared (server/config.schema.ts or server/cli/compose-variables.ts)`)
    t.match(example, new RegExp(`^${name}=`, 'm'), `${name} is in .env.example`)
  }
})

t.test('passwords and secret keys have no default: Compose stops with a message instead', async (t) => {
  const secrets = uses.filter((use) => /(PASSWORD|SECRET_KEY)$/.test(use.name))
  t.same([...new Set(secrets.map((use) => use.name))].sort(), [
    'MINIO_ROOT_PASSWORD',
    'POSTGRES_PASSWORD',
    'REDIS_PASSWORD',
    'S3_SECRET_KEY',
    'SECRET_KEY',
  ])
  for (const use of secrets) t.equal(use.operator, ':?', `\${${use.name}} requires a value`)
  for (const variable of composeVariables.filter((v) => v.required)) {
    t.ok(
      uses.some((use) => use.name === variable.name && use.operator === ':?'),
      `${variable.name} is required in docker-compose.yml`,
    )
  }
})

t.test('the server publishes no host port, so it can be scaled behind the proxy', async (t) => {
  const server = /^ {2}server:\n((?: {4}.*\n|\n)*)/m.exec(compose)?.[1] ?? ''
  t.match(server, /REDIS_URL: redis:\/\/:\$\{REDIS_PASSWORD:\?/, 'REDIS_URL carries the Redis password')
  t.notMatch(server, /^ {4}ports:/m, 'no ports: section')
  t.notMatch(server, /MINIO_ROOT/, 'the server never gets the MinIO root credentials')
})
