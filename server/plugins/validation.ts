import { Ajv, type Options } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifyInstance, FastifySchemaValidationError } from 'fastify'
import fastJsonStringify from 'fast-json-stringify'
import { AppError } from '../http/errors.js'
import { installBodyParsing } from './request-body.js'

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv

/**
 * Bodies are validated strictly: no type coercion ("12" is not 12) and unknown fields are
 * rejected, not silently stripped, so a `role` in a body is an error. Query strings and
 * params are strings on the wire, so there types are coerced.
 *
 * Compiling every route's validators and serializers took a third of an app's start-up, so
 * each is compiled on its route's first use, once per process: the compilers outlive one app
 * (route schemas are module constants), so a second app in the process (a test, a restart)
 * compiles nothing again. `compileRouteSchemas` compiles them all at once (a test does).
 */
// allErrors: a form shows every invalid field at once (the error handler lists each, at most 20).
const base: Options = { allErrors: true, useDefaults: true, strict: false, removeAdditional: false }
const bodyAjv = addFormats(new Ajv({ ...base, coerceTypes: false }))
const queryAjv = addFormats(new Ajv({ ...base, coerceTypes: 'array' }))
for (const ajv of [bodyAjv, queryAjv]) ajv.addKeyword({ keyword: 'example' })

type Validate = ((data: unknown, context?: object) => boolean) & {
  errors?: FastifySchemaValidationError[] | null
  schemaEnv?: unknown
}
type Serialize = (value: unknown) => string

const serializers = new WeakMap<object, Serialize>()
function serializerFor(schema: object): Serialize {
  let serialize = serializers.get(schema)
  if (!serialize) {
    serialize = fastJsonStringify(schema) as Serialize
    serializers.set(schema, serialize)
  }
  return serialize
}

function validatorFor(schema: object, httpPart: string | undefined): Validate {
  return (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema) as Validate
}

/** A validator that compiles on its first call and then behaves as the Ajv function. */
function lazyValidator(schema: object, httpPart: string | undefined): Validate {
  let compiled: Validate | undefined
  const validate: Validate = (data, context) => {
    compiled ??= validatorFor(schema, httpPart)
    const valid = compiled(data, context)
    validate.errors = compiled.errors
    return valid
  }
  // Fastify passes the parent (so Ajv can coerce a root value) only to Ajv's functions.
  validate.schemaEnv = true
  return validate
}

const routeSchemas = new WeakMap<FastifyInstance, Array<{ schema?: Record<string, unknown> }>>()

/** The routes an app registered (with their schemas), for `compileRouteSchemas`. */
export function routesOf(app: FastifyInstance): Array<{ schema?: Record<string, unknown> }> {
  return routeSchemas.get(app) ?? []
}

/** Validation of every route's input: bodies are parsed within limits (request-body.ts), then checked by schema. */
export function installValidators(app: FastifyInstance): void {
  installBodyParsing(app)
  const routes: Array<{ schema?: Record<string, unknown> }> = []
  routeSchemas.set(app, routes)
  app.addHook('onRoute', (route) => {
    routes.push({ schema: route.schema as Record<string, unknown> | undefined })
  })
  app.setValidatorCompiler(({ schema, httpPart }) => lazyValidator(schema, httpPart))
  app.setSerializerCompiler(({ schema }) => {
    let serialize: Serialize | undefined
    return (value: unknown) => (serialize ??= serializerFor(schema as object))(value)
  })
  app.addHook('preValidation', async (request) => {
    if (containsBadText(request.body) || containsBadText(request.query)) {
      throw new AppError(400, 'request.invalid_text', 'Text must be valid Unicode without NUL characters')
    }
  })
}

const badText = (text: string) => text.includes('\u0000') || !text.isWellFormed()

/**
 * True when a NUL character or a lone UTF-16 surrogate hides anywhere in a parsed value:
 * Postgres text cannot hold the first, and the second is not text at all.
 */
export function containsBadText(value: unknown, depth = 0): boolean {
  if (depth > 64) return false
  if (typeof value === 'string') return badText(value)
  if (Array.isArray(value)) return value.some((item) => containsBadText(item, depth + 1))
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([key, item]) => badText(key) || containsBadText(item, depth + 1))
  }
  return false
}

/** Compiles every route's schemas now: a broken schema fails here, not on a first request. */
export function compileRouteSchemas(routes: Array<{ schema?: Record<string, unknown> }>): number {
  let compiled = 0
  for (const { schema } of routes) {
    if (!schema) continue
    for (const part of ['body', 'querystring', 'params', 'headers'] as const) {
      const partSchema = schema[part]
      if (partSchema && typeof partSchema === 'object') {
        validatorFor(partSchema, part === 'body' ? 'body' : part)
        compiled++
      }
    }
    const response = schema.response
    if (response && typeof response === 'object') {
      for (const statusSchema of Object.values(response)) {
        if (statusSchema && typeof statusSchema === 'object') {
          serializerFor(statusSchema)
          compiled++
        }
      }
    }
  }
  return compiled
}
