import { Type, type Static } from 'typebox'
import { webhookSettings } from './config.webhooks.js'

/**
 * Every setting of the server, each declared once: its environment variable, type, default,
 * one-line doc and whether it is a secret. `config.ts` reads and validates the environment
 * against it; the README's configuration table and `.env.example` are generated from it
 * (`npm run docs:config`).
 */

/** What each setting declares besides its JSON Schema keywords. */
export interface SettingAnnotations {
  /** The environment variable it is read from. */
  env: string
  description: string
  default: unknown
  /** What an empty variable means, for settings whose default depends on others (they stay null until derived). */
  whenEmpty?: string
  /** Credentials: left empty in `.env.example`. */
  secret?: boolean
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value)
  } catch {
    return null
  }
}

function urlWith(...protocols: string[]) {
  return Type.Refine(
    Type.String(),
    (value) => protocols.includes(parseUrl(value)?.protocol ?? ''),
    (value) =>
      parseUrl(value) ? `must start with ${protocols.map((p) => `${p}//`).join(' or ')}` : 'is not a valid URL',
  )
}

const origin = Type.Refine(
  Type.String(),
  (value) => parseUrl(value)?.origin === value.replace(/\/+$/, ''),
  () => 'is not an origin like https://example.com',
)

const day = 24 * 3600 * 1000
const KiB = 1024
const MiB = 1024 * KiB
const GiB = 1024 * MiB

export const settingsSchema = Type.Object({
  host: Type.String({
    env: 'HOST',
    default: '127.0.0.1',
    description: 'Interface to listen on (`0.0.0.0` in containers).',
  }),
  port: Type.Integer({ env: 'PORT', default: 3000, minimum: 0, maximum: 65535, description: 'TCP port.' }),
  dataDir: Type.String({
    env: 'DATA_DIR',
    default: './data',
    description: 'Embedded PGlite database and local files live here.',
  }),
  databaseUrl: Type.Union([urlWith('postgres:', 'postgresql:'), Type.Null()], {
    env: 'DATABASE_URL',
    default: null,
    whenEmpty: 'embedded PGlite',
    secret: true,
    description: 'Postgres connection string, e.g. `postgres://postgres@127.0.0.1:5432/workroom`.',
  }),
  s3Endpoint: Type.Union([urlWith('http:', 'https:'), Type.Null()], {
    env: 'S3_ENDPOINT',
    default: null,
    whenEmpty: 'local disk',
    description: 'S3/MinIO endpoint URL, e.g. `http://minio:9000`; switches file storage to S3.',
  }),
  s3AccessKey: Type.String({
    env: 'S3_ACCESS_KEY',
    default: '',
    secret: true,
    description: 'S3 access key (required with `S3_ENDPOINT`).',
  }),
  s3SecretKey: Type.String({
    env: 'S3_SECRET_KEY',
    default: '',
    secret: true,
    description: 'S3 secret key (required with `S3_ENDPOINT`).',
  }),
  s3Bucket: Type.Refine(
    Type.String({
      env: 'S3_BUCKET',
      default: 'workroom',
      description: 'Bucket for stored files; created at start if missing.',
    }),
    (value) => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value),
    () => 'must be a valid bucket name (3-63 lowercase letters, digits, dots, hyphens)',
  ),
  s3Region: Type.String({ env: 'S3_REGION', default: 'us-east-1', description: 'S3 region.' }),
  redisUrl: Type.Union([urlWith('redis:', 'rediss:'), Type.Null()], {
    env: 'REDIS_URL',
    default: null,
    whenEmpty: 'single instance',
    secret: true,
    description: 'Redis URL; the bus between several server instances.',
  }),
  webDir: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
    env: 'WEB_DIR',
    default: null,
    whenEmpty: '`client/web/dist` of this install',
    description: 'Folder of the built web app the server serves at `/` (`node client/web/build.mjs` writes there too).',
  }),
  publicUrl: Type.Union([urlWith('http:', 'https:'), Type.Null()], {
    env: 'PUBLIC_URL',
    default: null,
    whenEmpty: '`http://localhost:$PORT`',
    description: 'Address users open; printed at start and the default allowed Origin.',
  }),
  allowedOrigins: Type.Union([Type.Array(origin), Type.Null()], {
    env: 'ALLOWED_ORIGINS',
    default: null,
    whenEmpty: "`PUBLIC_URL`'s origin, `http://127.0.0.1:$PORT` and `http://localhost:$PORT`",
    description: 'Comma-separated Origins allowed for WebSockets and cookie-authenticated writes.',
  }),
  metricsToken: Type.Union([Type.String({ minLength: 16, maxLength: 200 }), Type.Null()], {
    env: 'METRICS_TOKEN',
    default: null,
    whenEmpty: '`/metrics` answers 404',
    secret: true,
    description:
      'Bearer token (16+ characters) a Prometheus scraper sends to read `/metrics`; without it the page is off.',
  }),
  smtpUrl: Type.Union([urlWith('smtp:', 'smtps:'), Type.Null()], {
    env: 'SMTP_URL',
    default: null,
    whenEmpty: '`.eml` files under `DATA_DIR/mail`',
    secret: true,
    description:
      'SMTP server mail goes through, e.g. `smtp://user:pass@mail.example.com:587` or `smtp://mailpit:1025`.',
  }),
  mailFrom: Type.String({
    env: 'MAIL_FROM',
    default: 'Workroom <no-reply@localhost>',
    minLength: 3,
    description: 'The From address of every mail, e.g. `Workroom <no-reply@example.com>`.',
  }),
  mailPollMs: Type.Integer({
    env: 'MAIL_POLL_MS',
    default: 2000,
    minimum: 0,
    maximum: day,
    description: 'How often the mail outbox is drained (sent, retried); 0 disables sending from this instance.',
  }),
  secretKey: Type.Union([Type.String({ minLength: 32, maxLength: 512 }), Type.Null()], {
    env: 'SECRET_KEY',
    default: null,
    whenEmpty: 'a random key made once and kept in `DATA_DIR/secret.key`',
    secret: true,
    description:
      'Key (32+ characters) that signs links sent by mail (verification, unsubscribe) and WebSocket tickets; every instance needs the same.',
  }),
  logLevel: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    env: 'LOG_LEVEL',
    default: 'info',
    description: 'pino level: fatal, error, warn, info, debug, trace, silent.',
  }),
  trustProxy: Type.Boolean({
    env: 'TRUST_PROXY',
    default: false,
    description: 'Trust `X-Forwarded-*` headers (behind a reverse proxy).',
  }),
  bodyLimit: Type.Integer({
    env: 'BODY_LIMIT',
    default: MiB,
    minimum: KiB,
    maximum: 64 * MiB,
    description: 'Largest JSON request body in bytes (uploads have their own limits).',
  }),
  sessionTtlDays: Type.Integer({
    env: 'SESSION_TTL_DAYS',
    default: 30,
    minimum: 1,
    maximum: 3650,
    description: 'Days a login session lasts.',
  }),
  cookieSecure: Type.Union([Type.Boolean(), Type.Null()], {
    env: 'COOKIE_SECURE',
    default: null,
    whenEmpty: 'true when `PUBLIC_URL` is https',
    description: 'Send the session cookie only over HTTPS.',
  }),
  loginMaxFailures: Type.Integer({
    env: 'LOGIN_MAX_FAILURES',
    default: 10,
    minimum: 1,
    maximum: 1000,
    description: 'Failed logins per email allowed in the window; the next one answers 429.',
  }),
  loginWindowMinutes: Type.Integer({
    env: 'LOGIN_WINDOW_MINUTES',
    default: 15,
    minimum: 1,
    maximum: 24 * 60,
    description: 'Login throttle window (per email and per IP).',
  }),
  loginMaxFailuresPerIp: Type.Integer({
    env: 'LOGIN_MAX_FAILURES_PER_IP',
    default: 50,
    minimum: 1,
    maximum: 1_000_000,
    description: 'Failed logins per client IP, over all emails, allowed in the window; the next one answers 429.',
  }),
  registrationsPerHour: Type.Integer({
    env: 'REGISTRATIONS_PER_HOUR',
    default: 20,
    minimum: 1,
    maximum: 1_000_000,
    description: 'Accounts created per client IP per hour; the next registration answers 429.',
  }),
  writesPerMinute: Type.Integer({
    env: 'WRITES_PER_MINUTE',
    default: 120,
    minimum: 1,
    maximum: 1_000_000,
    description:
      'Writes (POST, PUT, PATCH, DELETE under `/api/`) per signed-in user (per IP when anonymous) per minute.',
  }),
  messagesPerMinute: Type.Integer({
    env: 'MESSAGES_PER_MINUTE',
    default: 30,
    minimum: 1,
    maximum: 1_000_000,
    description: 'Messages posted per user per minute (counted besides the writes).',
  }),
  uploadsPerMinute: Type.Integer({
    env: 'UPLOADS_PER_MINUTE',
    default: 30,
    minimum: 1,
    maximum: 1_000_000,
    description: 'File uploads per user per minute (counted besides the writes).',
  }),
  ticketsPerMinute: Type.Integer({
    env: 'TICKETS_PER_MINUTE',
    default: 60,
    minimum: 1,
    maximum: 1_000_000,
    description: 'Real-time tickets issued per user per minute (counted besides the writes).',
  }),
  searchesPerMinute: Type.Integer({
    env: 'SEARCHES_PER_MINUTE',
    default: 60,
    minimum: 1,
    maximum: 1_000_000,
    description: 'Freelancer searches per signed-in user (per IP when anonymous) per minute.',
  }),
  schedulerIntervalMs: Type.Integer({
    env: 'SCHEDULER_INTERVAL_MS',
    default: 5000,
    minimum: 0,
    maximum: day,
    description: 'How often durable deadlines (expiries, auto-release...) are checked; 0 disables.',
  }),
  ...webhookSettings,
  platformFeeBps: Type.Integer({
    env: 'PLATFORM_FEE_BPS',
    default: 1000,
    minimum: 0,
    maximum: 5000,
    description: 'Platform fee on each release in basis points (1000 = 10%).',
  }),
  autoReleaseDays: Type.Integer({
    env: 'AUTO_RELEASE_DAYS',
    default: 14,
    minimum: 1,
    maximum: 365,
    description:
      'A submitted milestone is released this many days after submission unless the client approves, ' +
      'asks for changes or disputes.',
  }),
  disputeResponseDays: Type.Integer({
    env: 'DISPUTE_RESPONSE_DAYS',
    default: 5,
    minimum: 1,
    maximum: 365,
    description:
      'Days the other side of a milestone dispute has to answer; no answer resolves it for the party who opened it.',
  }),
  offerExpiryDays: Type.Integer({
    env: 'OFFER_EXPIRY_DAYS',
    default: 30,
    minimum: 1,
    maximum: 365,
    description: 'Days a contract offer (a hire) waits for the freelancer to accept before it expires.',
  }),
  wsMaxFrameBytes: Type.Integer({
    env: 'WS_MAX_FRAME_BYTES',
    default: 2 * MiB,
    minimum: KiB,
    maximum: 64 * MiB,
    description: 'Largest WebSocket frame accepted (2 MiB); larger frames close the socket with 1009.',
  }),
  docMaxBytes: Type.Integer({
    env: 'DOC_MAX_BYTES',
    default: 3 * MiB,
    minimum: KiB,
    maximum: GiB,
    description:
      'Largest stored shared document (3 MiB), at most 3/4 of `WS_SEND_BUFFER_BYTES` so a fresh client can ' +
      'always load it; an update that would pass it is refused and its sender closed with 1009.',
  }),
  wsConnectsPerMinute: Type.Integer({
    env: 'WS_CONNECTS_PER_MINUTE',
    default: 600,
    minimum: 1,
    maximum: 1_000_000,
    description:
      'WebSocket connection attempts per client IP per minute, for documents (more are closed with 4429) and for the ' +
      'event stream (more answer 429).',
  }),
  docUnloadAfterMs: Type.Integer({
    env: 'DOC_UNLOAD_AFTER_MS',
    default: 30_000,
    minimum: 0,
    maximum: day,
    description: 'A shared document leaves memory this long after its last client left (compacted first).',
  }),
  docCompactUpdates: Type.Integer({
    env: 'DOC_COMPACT_UPDATES',
    default: 500,
    minimum: 2,
    maximum: 1_000_000,
    description: "Compact a document's update log into its snapshot past this many updates (or 1 MiB).",
  }),
  wsSendBufferBytes: Type.Integer({
    env: 'WS_SEND_BUFFER_BYTES',
    default: 4 * MiB,
    minimum: KiB,
    maximum: GiB,
    description: 'A WebSocket with more unsent bytes than this (4 MiB) is closed with 4008 (slow consumer).',
  }),
  wsPingIntervalMs: Type.Integer({
    env: 'WS_PING_INTERVAL_MS',
    default: 30_000,
    minimum: 1000,
    maximum: 3600_000,
    description: 'Event-stream keepalive: ping interval; a socket silent for a whole interval is dropped.',
  }),
  fileMaxBytes: Type.Integer({
    env: 'FILE_MAX_BYTES',
    default: 100 * MiB,
    minimum: 1,
    maximum: 5 * GiB,
    description: 'Largest uploaded file (100 MiB); one byte more answers 413 and stores nothing.',
  }),
  workroomQuotaBytes: Type.Integer({
    env: 'WORKROOM_QUOTA_BYTES',
    default: GiB,
    minimum: 0,
    maximum: 1024 * GiB,
    description:
      'Total size of the files of one workroom (1 GiB); an upload past it answers 413 `files.quota_exceeded`.',
  }),
  feedbackWindowDays: Type.Integer({
    env: 'FEEDBACK_WINDOW_DAYS',
    default: 14,
    minimum: 1,
    maximum: 365,
    description:
      'Days after a contract ends during which each party may leave feedback; both are revealed when both are in ' +
      'or when the window closes.',
  }),
  feedbackReplyDays: Type.Integer({
    env: 'FEEDBACK_REPLY_DAYS',
    default: 28,
    minimum: 1,
    maximum: 3650,
    description: 'Days after feedback is revealed during which the rated party may post one public reply.',
  }),
  reputationWindowDays: Type.Integer({
    env: 'REPUTATION_WINDOW_DAYS',
    default: 730,
    minimum: 1,
    maximum: 36500,
    description:
      'Feedback on contracts that ended within this many days (24 months) counts in reputation scores ' +
      '(`docs/reputation.md`).',
  }),
})

export type Settings = Static<typeof settingsSchema>
