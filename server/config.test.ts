import { readFile } from 'node:fs/promises'
import t from 'tap'
import { ConfigError, configVariables, loadConfig } from './config.js'

t.test('defaults: port 3000, ./data, PGlite, disk files, one instance', async (t) => {
  const config = loadConfig({}, '/srv/app')
  t.equal(config.port, 3000)
  t.equal(config.dataDir, '/srv/app/data')
  t.equal(config.databaseUrl, null)
  t.same(config.storage, { driver: 'disk', dir: '/srv/app/data/files' })
  t.equal(config.redisUrl, null)
  t.ok(Object.isFrozen(config) && Object.isFrozen(config.storage) && Object.isFrozen(config.allowedOrigins), 'frozen')
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
  t.match(config.storage, { driver: 's3', endpoint: 'http://minio:9000', bucket: 'workroom' })
  t.equal(config.redisUrl, 'redis://redis:6379')
})

t.test('a bad value stops start-up and names the variable', async (t) => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ S3_ENDPOINT: 'http://minio:9000' }, 'S3_ACCESS_KEY'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
    [{ ALLOWED_ORIGINS: 'https://ok.example,https://bad.example/path' }, 'ALLOWED_ORIGINS'],
    [{ PLATFORM_FEE_BPS: '-1' }, 'PLATFORM_FEE_BPS'],
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
})

t.test('the README documents every variable', async (t) => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
  for (const variable of configVariables) {
    t.match(readme, new RegExp(`\\|\\s*\`${variable.name}\`\\s*\\|`), `${variable.name} is in the README table`)
  }
})
