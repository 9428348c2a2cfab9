import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import t from 'tap'
import { nodeScript } from '../test/fixtures/node-script.js'
import { ConfigError, configVariables, loadConfig } from './config.js'

const run = promisify(execFile)

t.test('defaults: port 3000, ./data, PGlite, disk files, one instance', async (t) => {
  const config = loadConfig({}, '/srv/app')
  t.equal(config.host, '127.0.0.1')
  t.equal(config.port, 3000)
  t.equal(config.dataDir, '/srv/app/data')
  t.equal(config.pgliteDir, '/srv/app/data/pglite')
  t.equal(config.databaseUrl, null)
  t.same(config.storage, { driver: 'disk', dir: '/srv/app/data/files' })
  t.equal(config.redisUrl, null)
  t.equal(config.publicUrl, 'http://localhost:3000')
  t.same(config.allowedOrigins, ['http://localhost:3000', 'http://127.0.0.1:3000'])
  t.equal(config.cookieSecure, false)
  t.equal(config.logLevel, 'info')
  t.equal(config.platformFeeBps, 1000)
  t.equal(config.bodyLimit, 1024 * 1024)
  t.equal(config.reputationWindowDays, 730)
  t.ok(Object.isFrozen(config) && Object.isFrozen(config.storage) && Object.isFrozen(config.allowedOrigins), 'frozen')
})

t.test('defaults that follow PUBLIC_URL and PORT', async (t) => {
  const config = loadConfig({ PORT: '8080', PUBLIC_URL: 'https://work.example/' })
  t.equal(config.publicUrl, 'https://work.example', 'trailing slash dropped')
  t.same(config.allowedOrigins, ['https://work.example', 'http://127.0.0.1:8080', 'http://localhost:8080'])
  t.equal(config.cookieSecure, true, 'https means a Secure cookie')
  t.equal(loadConfig({ PUBLIC_URL: 'https://work.example', COOKIE_SECURE: 'off' }).cookieSecure, false)
  t.equal(loadConfig({ PORT: '' }).port, 3000, 'an empty variable means the default')
})

t.test('real services by configuration', async (t) => {
  const config = loadConfig({
    DATABASE_URL: 'postgres://u@db:5432/w',
    S3_ENDPOINT: 'http://minio:9000',
    S3_ACCESS_KEY: 'a',
    S3_SECRET_KEY: 'b',
    REDIS_URL: 'redis://redis:6379',
  })
  t.equal(config.databaseUrl, 'postgres://u@db:5432/w')
  t.same(config.storage, {
    driver: 's3',
    endpoint: 'http://minio:9000',
    accessKey: 'a',
    secretKey: 'b',
    bucket: 'workroom',
    region: 'us-east-1',
  })
  t.equal(config.redisUrl, 'redis://redis:6379')
})

t.test('a bad value stops start-up and names the variable', async (t) => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ S3_ENDPOINT: 'http://minio:9000' }, 'S3_ACCESS_KEY'],
    [{ S3_BUCKET: 'Not_A_Bucket' }, 'S3_BUCKET'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
    [{ ALLOWED_ORIGINS: 'https://ok.example,https://bad.example/path' }, 'ALLOWED_ORIGINS'],
    [{ PLATFORM_FEE_BPS: '-1' }, 'PLATFORM_FEE_BPS'],
    [{ SESSION_TTL_DAYS: '1.5' }, 'SESSION_TTL_DAYS'],
    // A document a fresh client could not receive within its send buffer (issue 20, F2).
    [{ DOC_MAX_BYTES: String(4 * 1024 * 1024) }, 'DOC_MAX_BYTES'],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN'],
  ]
  for (const [env, variable] of cases) {
    t.throws(() => loadConfig(env), ConfigError, `${JSON.stringify(env)} is refused`)
    try {
      loadConfig(env)
    } catch (err) {
      t.equal((err as ConfigError).variable, variable)
      t.match((err as Error).message, variable)
    }
  }
  t.throws(() => loadConfig({ PORT: '70000' }), { message: 'PORT: must be between 0 and 65535, got 70000' })
  t.throws(() => loadConfig({ ALLOWED_ORIGINS: 'https://ok.example,https://bad.example/path' }), {
    message: 'ALLOWED_ORIGINS: entry 2 ("https://bad.example/path") is not an origin like https://example.com',
  })
})

t.test('the server refuses to start on a bad value', async (t) => {
  const failure = await run(process.execPath, nodeScript('server/main.ts'), {
    env: { ...process.env, PORT: 'eighty' },
  }).then(
    () => null,
    (err: { code: number; stderr: string }) => err,
  )
  t.equal(failure?.code, 1)
  t.match(failure?.stderr, 'bad configuration: PORT: expected an integer, got "eighty"')
})

t.test('credentials are flagged secret and left empty in .env.example', async (t) => {
  const secrets = configVariables.filter((variable) => variable.secret).map((variable) => variable.name)
  t.same(secrets, [
    'DATABASE_URL',
    'S3_ACCESS_KEY',
    'S3_SECRET_KEY',
    'REDIS_URL',
    'METRICS_TOKEN',
    'SMTP_URL',
    'SECRET_KEY',
  ])
  const example = await readFile(new URL('../.env.example', import.meta.url), 'utf8')
  for (const name of secrets) t.match(example, new RegExp(`^${name}=$`, 'm'), `${name} has no value`)
  t.match(example, /^PLATFORM_FEE_BPS=1000$/m, 'other variables show their default')
})

t.test('README table and .env.example match the schema (npm run docs:config)', async (t) => {
  const check = await run(process.execPath, [...nodeScript('server/cli/config-docs.ts'), '--check']).then(
    () => ({ code: 0, stderr: '' }),
    (err: { code: number; stderr: string }) => err,
  )
  t.equal(check.code, 0, check.stderr || 'both files are up to date')
})
