import path from 'node:path'
import { Type, type TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { settingsSchema, type SettingAnnotations, type Settings } from './config.schema.js'

/**
 * The configuration, read from the environment once at boot against the one schema
 * (`config.schema.ts`), validated, frozen. Nothing else in the server reads `process.env`.
 */

type Setting = TSchema & SettingAnnotations & { minimum?: number; maximum?: number; enum?: unknown[] }

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

type S3Settings = 's3Endpoint' | 's3AccessKey' | 's3SecretKey' | 's3Bucket' | 's3Region'

/** The settings as the server uses them: S3 ones gathered into `storage`, defaults that depend on others filled in. */
export interface Config extends Omit<Settings, S3Settings | 'publicUrl' | 'allowedOrigins' | 'cookieSecure'> {
  /** Absolute; relative DATA_DIR values are taken from the working directory. */
  dataDir: string
  /** Directory of the PGlite database (when databaseUrl is null). */
  pgliteDir: string
  storage: StorageConfig
  /** Without a trailing slash. */
  publicUrl: string
  allowedOrigins: readonly string[]
  cookieSecure: boolean
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

/** A declaration missing its variable, doc or default is a programming error: fail on import, before any use. */
function annotated([key, schema]: [string, TSchema]): [keyof Settings, Setting] {
  const { env, description } = schema as Partial<SettingAnnotations>
  if (typeof env !== 'string' || typeof description !== 'string' || !('default' in schema)) {
    throw new Error(`config setting ${key} needs env, description and default`)
  }
  return [key as keyof Settings, schema as Setting]
}

const settings = Object.entries<TSchema>(settingsSchema.properties).map(annotated)

/** Every environment variable with its documentation, in declaration order (the README table's order). */
export const configVariables: ReadonlyArray<{
  name: string
  /** The default as text; empty when there is none or it depends on other settings (see whenEmpty). */
  default: string
  whenEmpty?: string
  description: string
  secret: boolean
}> = settings.map(([, setting]) => ({
  name: setting.env,
  default: setting.default === null ? '' : String(setting.default),
  ...(setting.whenEmpty === undefined ? {} : { whenEmpty: setting.whenEmpty }),
  description: setting.description,
  secret: setting.secret === true,
}))

const trueWords = ['1', 'true', 'yes', 'on']
const falseWords = ['0', 'false', 'no', 'off']

/** Turns the variable's text into the setting's type; an empty variable means the default. */
function readSetting(setting: Setting, raw: string | undefined): unknown {
  const text = raw?.trim()
  if (!text) return setting.default
  const type = Type.IsUnion(setting) ? setting.anyOf.find((member) => !Type.IsNull(member)) : setting
  if (Type.IsInteger(type)) {
    if (!/^-?\d+$/.test(text)) throw new ConfigError(setting.env, `expected an integer, got ${JSON.stringify(raw)}`)
    return Number(text)
  }
  if (Type.IsBoolean(type)) {
    if (trueWords.includes(text.toLowerCase())) return true
    if (falseWords.includes(text.toLowerCase())) return false
    throw new ConfigError(setting.env, `expected true or false, got ${JSON.stringify(raw)}`)
  }
  if (Type.IsArray(type)) return text.split(',').map((entry) => entry.trim())
  return text
}

function checkSetting(setting: Setting, value: unknown): void {
  const [error] = Value.Errors(setting, value)
  if (!error) return
  if (error.keyword === 'minimum' || error.keyword === 'maximum') {
    throw new ConfigError(setting.env, `must be between ${setting.minimum} and ${setting.maximum}, got ${value}`)
  }
  if (error.keyword === 'enum') throw new ConfigError(setting.env, `must be one of ${setting.enum?.join(', ')}`)
  // A list's errors point at the entry, which the operator finds by its position and text.
  const index = /^\/(\d+)$/.exec(error.instancePath)?.[1]
  if (index === undefined || !Array.isArray(value)) throw new ConfigError(setting.env, error.message)
  const entry = Number(index)
  throw new ConfigError(setting.env, `entry ${entry + 1} (${JSON.stringify(value[entry])}) ${error.message}`)
}

function readSettings(env: Env): Settings {
  const values: Record<string, unknown> = {}
  for (const [key, setting] of settings) {
    const value = readSetting(setting, env[setting.env])
    checkSetting(setting, value)
    values[key] = value
  }
  return values as Settings
}

/** Reads, validates and freezes the configuration. Throws ConfigError naming the bad variable. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Readonly<Config> {
  const { s3Endpoint, s3AccessKey, s3SecretKey, s3Bucket, s3Region, ...settings } = readSettings(env)
  const dataDir = path.resolve(cwd, settings.dataDir)

  let storage: StorageConfig = { driver: 'disk', dir: path.join(dataDir, 'files') }
  if (s3Endpoint) {
    if (!s3AccessKey) throw new ConfigError('S3_ACCESS_KEY', 'is required when S3_ENDPOINT is set')
    if (!s3SecretKey) throw new ConfigError('S3_SECRET_KEY', 'is required when S3_ENDPOINT is set')
    storage = {
      driver: 's3',
      endpoint: s3Endpoint,
      accessKey: s3AccessKey,
      secretKey: s3SecretKey,
      bucket: s3Bucket,
      region: s3Region,
    }
  }

  // A fresh client receives the whole document in one message: it must fit its send buffer.
  if (settings.docMaxBytes > (settings.wsSendBufferBytes / 4) * 3)
    throw new ConfigError('DOC_MAX_BYTES', 'must be at most 3/4 of WS_SEND_BUFFER_BYTES, or new clients cannot load it')

  const publicUrl = (settings.publicUrl ?? `http://localhost:${settings.port}`).replace(/\/+$/, '')
  const allowedOrigins = settings.allowedOrigins?.map((entry) => new URL(entry).origin) ?? [
    new URL(publicUrl).origin,
    `http://127.0.0.1:${settings.port}`,
    `http://localhost:${settings.port}`,
  ]

  return deepFreeze({
    ...settings,
    dataDir,
    pgliteDir: path.join(dataDir, 'pglite'),
    storage,
    publicUrl,
    allowedOrigins: [...new Set(allowedOrigins)],
    cookieSecure: settings.cookieSecure ?? publicUrl.startsWith('https:'),
  })
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const inner of Object.values(value)) {
    if (inner && typeof inner === 'object' && !Object.isFrozen(inner)) deepFreeze(inner)
  }
  return Object.freeze(value)
}
