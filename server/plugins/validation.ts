import { Ajv, type Options } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifyInstance } from 'fastify'
import { AppError } from '../http/errors.js'

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv

/**
 * Bodies are validated strictly: no type coercion ("12" is not 12) and unknown fields are
 * rejected, not silently stripped, so a `role` in a body is an error. Query strings and
 * params are strings on the wire, so there types are coerced.
 */
export function installValidators(app: FastifyInstance): void {
  const base: Options = { allErrors: false, useDefaults: true, strict: false, removeAdditional: false }
  const bodyAjv = addFormats(new Ajv({ ...base, coerceTypes: false }))
  const queryAjv = addFormats(new Ajv({ ...base, coerceTypes: 'array' }))
  for (const ajv of [bodyAjv, queryAjv]) ajv.addKeyword({ keyword: 'example' })
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? bodyAjv.compile(schema) : queryAjv.compile(schema),
  )
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
