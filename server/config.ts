import path from 'node:path'

/**
 * The one configuration schema. Read from the environment once at boot, validated,
 * frozen. Nothing else in the server reads `process.env`.
 *
 * Every variable is listed in `configVariables` with its default and a one-line doc;
 * the README's configuration table is checked against this list by a test.
 */

export type StorageConfig =
  | { driver: 'disk'; dir: string }
  | {
      driver: 's3'
      endpoint: string
      accessKey: string
      secretKey: string
      bucket: string
      region: string
    }

export interface Config {
  /** Interface to listen on. */
  host: string
  /** TCP port to listen on. */
  port: number
  /** Where PGlite data, stored files and other embedded state live. */
  dataDir: string
  /** Postgres connection string; when empty the embedded PGlite under dataDir is used. */
  databaseUrl: string | null
  /** Directory of the PGlite database (when databaseUrl is null). */
  pgliteDir: string
  storage: StorageConfig
  /** Redis connection string; set it when several instances share one database. */
  redisUrl: string | null
  /** The address people open; used in printed links and as the default allowed Origin. */
  publicUrl: string
  /** Origins allowed to open WebSockets and send cookie-authenticated requests. */
  allowedOrigins: readonly string[]
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** Trust X-Forwarded-* headers (set when behind a reverse proxy). */
  trustProxy: boolean
  /** Largest JSON body accepted, in bytes. */
  bodyLimit: number
  /** Session lifetime in days. */
  sessionTtlDays: number
  /** Mark the session cookie Secure (defaults to true when publicUrl is https). */
  cookieSecure: boolean
  /** Failed logins per email allowed in the throttle window; the next answers 429. */
  loginMaxFailures: number
  /** The login throttle window in minutes. */
  loginWindowMinutes: number
  /** How often the scheduler looks for due deadlines, in milliseconds (0 disables polling). */
  schedulerIntervalMs: number
  /** Platform fee taken on each release, in basis points (1000 = 10%). */
  platformFeeBps: number
  /** A submitted milestone releases itself this many days after submission unless the client acts. */
  autoReleaseDays: number
  /** Days the other side of a milestone dispute has to answer before it resolves for the opener. */
  disputeResponseDays: number
  /** Days a contract offer waits for the freelancer before it expires. */
  offerExpiryDays: number
  /** Largest WebSocket frame accepted, in bytes. */
  wsMaxFrameBytes: number
  /** Largest shared document, in bytes; an update that would pass it is refused. */
  docMaxBytes: number
  /** WebSocket connection attempts allowed per client IP per minute (documents). */
  wsConnectsPerMinute: number
  /** A shared document is unloaded from memory this long after its last client left. */
  docUnloadAfterMs: number
  /** A document's update log is compacted into its snapshot past this many updates. */
  docCompactUpdates: number
  /** A WebSocket whose unsent data passes this many bytes is closed as a slow consumer. */
  wsSendBufferBytes: number
  /** How often event-stream sockets are pinged; one without a pong by the next ping is dropped. */
  wsPingIntervalMs: number
  /** Largest uploaded file, in bytes. */
  fileMaxBytes: number
  /** Total size of the files stored in one workroom, in bytes. */
  workroomQuotaBytes: number
  /** Days after a contract ends during which each party may leave feedback (then both are revealed). */
  feedbackWindowDays: number
  /** Days after feedback is revealed during which the rated party may reply once. */
  feedbackReplyDays: number
  /** Days of ended contracts whose feedback counts in a reputation score (730 = 24 months). */
  reputationWindowDays: number
}

type Env = Record<string, string | undefined>

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`)
    this.name = 'ConfigError'
  }
}

/** Documentation of every environment variable; the README table mirrors it. */
export const configVariables: ReadonlyArray<{ name: string; default: string; doc: string }> = [
  { name: 'HOST', default: '127.0.0.1', doc: 'Interface to listen on (`0.0.0.0` in containers).' },
  { name: 'PORT', default: '3000', doc: 'TCP port.' },
  { name: 'DATA_DIR', default: './data', doc: 'Embedded PGlite database and local files live here.' },
  { name: 'DATABASE_URL', default: '(empty: embedded PGlite)', doc: 'Postgres connection string, e.g. `postgres://postgres@127.0.0.1:5432/workroom`.' },
  { name: 'S3_ENDPOINT', default: '(empty: local disk)', doc: 'S3/MinIO endpoint URL, e.g. `http://minio:9000`; switches file storage to S3.' },
  { name: 'S3_ACCESS_KEY', default: '', doc: 'S3 access key (required with `S3_ENDPOINT`).' },
  { name: 'S3_SECRET_KEY', default: '', doc: 'S3 secret key (required with `S3_ENDPOINT`).' },
  { name: 'S3_BUCKET', default: 'workroom', doc: 'Bucket for stored files; created at start if missing.' },
  { name: 'S3_REGION', default: 'us-east-1', doc: 'S3 region.' },
  { name: 'REDIS_URL', default: '(empty: single instance)', doc: 'Redis URL; the bus between several server instances.' },
  { name: 'PUBLIC_URL', default: 'http://localhost:$PORT', doc: 'Address users open; printed at start and the default allowed Origin.' },
  { name: 'ALLOWED_ORIGINS', default: '`PUBLIC_URL` plus `http://127.0.0.1:$PORT`', doc: 'Comma-separated Origins allowed for WebSockets and cookie-authenticated writes.' },
  { name: 'LOG_LEVEL', default: 'info', doc: 'pino level: fatal, error, warn, info, debug, trace, silent.' },
  { name: 'TRUST_PROXY', default: 'false', doc: 'Trust `X-Forwarded-*` headers (behind a reverse proxy).' },
  { name: 'BODY_LIMIT', default: '1048576', doc: 'Largest JSON request body in bytes (uploads have their own limits).' },
  { name: 'SESSION_TTL_DAYS', default: '30', doc: 'Days a login session lasts.' },
  { name: 'COOKIE_SECURE', default: 'true when `PUBLIC_URL` is https', doc: 'Send the session cookie only over HTTPS.' },
  { name: 'LOGIN_MAX_FAILURES', default: '10', doc: 'Failed logins per email allowed in the window; the next one answers 429.' },
  { name: 'LOGIN_WINDOW_MINUTES', default: '15', doc: 'Login throttle window.' },
  { name: 'SCHEDULER_INTERVAL_MS', default: '5000', doc: 'How often durable deadlines (expiries, auto-release...) are checked; 0 disables.' },
  { name: 'PLATFORM_FEE_BPS', default: '1000', doc: 'Platform fee on each release in basis points (1000 = 10%).' },
  { name: 'AUTO_RELEASE_DAYS', default: '14', doc: 'A submitted milestone is released this many days after submission unless the client approves, asks for changes or disputes.' },
  { name: 'DISPUTE_RESPONSE_DAYS', default: '5', doc: 'Days the other side of a milestone dispute has to answer; no answer resolves it for the party who opened it.' },
  { name: 'OFFER_EXPIRY_DAYS', default: '30', doc: 'Days a contract offer (a hire) waits for the freelancer to accept before it expires.' },
  { name: 'WS_MAX_FRAME_BYTES', default: '2097152', doc: 'Largest WebSocket frame accepted (2 MiB); larger frames close the socket with 1009.' },
  { name: 'DOC_MAX_BYTES', default: '10485760', doc: 'Largest shared document (10 MiB); an update that would pass it is refused and the client told (close 1009).' },
  { name: 'WS_CONNECTS_PER_MINUTE', default: '600', doc: 'Document WebSocket connection attempts allowed per client IP per minute; more are closed with 4429.' },
  { name: 'DOC_UNLOAD_AFTER_MS', default: '30000', doc: 'A shared document leaves memory this long after its last client left (compacted first).' },
  { name: 'DOC_COMPACT_UPDATES', default: '500', doc: 'Compact a document\'s update log into its snapshot past this many updates (or 1 MiB).' },
  { name: 'WS_SEND_BUFFER_BYTES', default: '4194304', doc: 'A WebSocket with more unsent bytes than this (4 MiB) is closed with 4008 (slow consumer).' },
  { name: 'WS_PING_INTERVAL_MS', default: '30000', doc: 'Event-stream keepalive: ping interval; a socket silent for a whole interval is dropped.' },
  { name: 'FILE_MAX_BYTES', default: '104857600', doc: 'Largest uploaded file (100 MiB); one byte more answers 413 and stores nothing.' },
  { name: 'WORKROOM_QUOTA_BYTES', default: '1073741824', doc: 'Total size of the files of one workroom (1 GiB); an upload past it answers 413 `files.quota_exceeded`.' },
  { name: 'FEEDBACK_WINDOW_DAYS', default: '14', doc: 'Days after a contract ends during which each party may leave feedback; both are revealed when both are in or when the window closes.' },
  { name: 'FEEDBACK_REPLY_DAYS', default: '28', doc: 'Days after feedback is revealed during which the rated party may post one public reply.' },
  { name: 'REPUTATION_WINDOW_DAYS', default: '730', doc: 'Feedback on contracts that ended within this many days (24 months) counts in reputation scores (`docs/reputation.md`).' },
]

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `expected an integer, got ${JSON.stringify(raw)}`)
  const value = Number(raw)
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`)
  return value
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase()
  if (raw === undefined || raw === '') return fallback
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true
  if (['0', 'false', 'no', 'off'].includes(raw)) return false
  throw new ConfigError(name, `expected true or false, got ${JSON.stringify(env[name])}`)
}

function url(env: Env, name: string, protocols: readonly string[]): string | null {
  const raw = env[name]?.trim()
  if (!raw) return null
  let parsed: URL
  try {
    parsed = new URL(raw)
  } catch {
    throw new ConfigError(name, 'is not a valid URL')
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`)
  }
  return raw
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** Reads, validates and freezes the configuration. Throws ConfigError naming the bad variable. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Readonly<Config> {
  const port = int(env, 'PORT', 3000, 0, 65535)
  const host = env.HOST?.trim() || '127.0.0.1'
  const dataDir = path.resolve(cwd, env.DATA_DIR?.trim() || './data')
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:'])

  let storage: StorageConfig = { driver: 'disk', dir: path.join(dataDir, 'files') }
  const s3Endpoint = url(env, 'S3_ENDPOINT', ['http:', 'https:'])
  if (s3Endpoint) {
    const accessKey = env.S3_ACCESS_KEY?.trim()
    const secretKey = env.S3_SECRET_KEY?.trim()
    if (!accessKey) throw new ConfigError('S3_ACCESS_KEY', 'is required when S3_ENDPOINT is set')
    if (!secretKey) throw new ConfigError('S3_SECRET_KEY', 'is required when S3_ENDPOINT is set')
    const bucket = env.S3_BUCKET?.trim() || 'workroom'
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new ConfigError('S3_BUCKET', 'must be a valid bucket name (3-63 lowercase letters, digits, dots, hyphens)')
    }
    storage = { driver: 's3', endpoint: s3Endpoint, accessKey, secretKey, bucket, region: env.S3_REGION?.trim() || 'us-east-1' }
  }

  const publicUrl = (url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, '')
  const origins = env.ALLOWED_ORIGINS?.trim()
  const allowedOrigins = origins
    ? origins.split(',').map((o, i) => {
        const value = o.trim()
        try {
          const parsed = new URL(value)
          if (parsed.origin !== value.replace(/\/+$/, '')) throw new Error('not an origin')
          return parsed.origin
        } catch {
          throw new ConfigError('ALLOWED_ORIGINS', `entry ${i + 1} (${JSON.stringify(value)}) is not an origin like https://example.com`)
        }
      })
    : [new URL(publicUrl).origin, `http://127.0.0.1:${port}`, `http://localhost:${port}`]

  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as Config['logLevel']
  if (!logLevels.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${logLevels.join(', ')}`)

  const config: Config = {
    host,
    port,
    dataDir,
    databaseUrl,
    pgliteDir: path.join(dataDir, 'pglite'),
    storage,
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    publicUrl,
    allowedOrigins: Object.freeze([...new Set(allowedOrigins)]),
    logLevel,
    trustProxy: bool(env, 'TRUST_PROXY', false),
    bodyLimit: int(env, 'BODY_LIMIT', 1024 * 1024, 1024, 64 * 1024 * 1024),
    sessionTtlDays: int(env, 'SESSION_TTL_DAYS', 30, 1, 3650),
    cookieSecure: bool(env, 'COOKIE_SECURE', publicUrl.startsWith('https:')),
    loginMaxFailures: int(env, 'LOGIN_MAX_FAILURES', 10, 1, 1000),
    loginWindowMinutes: int(env, 'LOGIN_WINDOW_MINUTES', 15, 1, 24 * 60),
    schedulerIntervalMs: int(env, 'SCHEDULER_INTERVAL_MS', 5000, 0, 24 * 3600 * 1000),
    platformFeeBps: int(env, 'PLATFORM_FEE_BPS', 1000, 0, 5000),
    autoReleaseDays: int(env, 'AUTO_RELEASE_DAYS', 14, 1, 365),
    disputeResponseDays: int(env, 'DISPUTE_RESPONSE_DAYS', 5, 1, 365),
    offerExpiryDays: int(env, 'OFFER_EXPIRY_DAYS', 30, 1, 365),
    wsMaxFrameBytes: int(env, 'WS_MAX_FRAME_BYTES', 2 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    docMaxBytes: int(env, 'DOC_MAX_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    wsConnectsPerMinute: int(env, 'WS_CONNECTS_PER_MINUTE', 600, 1, 1_000_000),
    docUnloadAfterMs: int(env, 'DOC_UNLOAD_AFTER_MS', 30_000, 0, 24 * 3600 * 1000),
    docCompactUpdates: int(env, 'DOC_COMPACT_UPDATES', 500, 2, 1_000_000),
    wsSendBufferBytes: int(env, 'WS_SEND_BUFFER_BYTES', 4 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    wsPingIntervalMs: int(env, 'WS_PING_INTERVAL_MS', 30_000, 1000, 3600_000),
    fileMaxBytes: int(env, 'FILE_MAX_BYTES', 100 * 1024 * 1024, 1, 5 * 1024 * 1024 * 1024),
    workroomQuotaBytes: int(env, 'WORKROOM_QUOTA_BYTES', 1024 * 1024 * 1024, 0, 1024 * 1024 * 1024 * 1024),
    feedbackWindowDays: int(env, 'FEEDBACK_WINDOW_DAYS', 14, 1, 365),
    feedbackReplyDays: int(env, 'FEEDBACK_REPLY_DAYS', 28, 1, 3650),
    reputationWindowDays: int(env, 'REPUTATION_WINDOW_DAYS', 730, 1, 36500),
  }
  return deepFreeze(config)
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const inner of Object.values(value)) {
    if (inner && typeof inner === 'object' && !Object.isFrozen(inner)) deepFreeze(inner)
  }
  return Object.freeze(value)
}
