import type { FastifySchemaValidationError } from 'fastify'
import { fieldInWords } from '../../common/field-names.js'

/**
 * One invalid field: `field` is its path for programs (`milestones.0.amount`), `label` the field
 * in words ("Milestone 1 amount"), `message` what is wrong in words, without the field's name
 * (a form shows it beside the field's own label).
 */
export interface FieldError {
  field: string
  label: string
  message: string
}

/** An entry of `errors` for `field` (a path), with its label in words. */
export const fieldError = (field: string, message: string): FieldError => ({
  field,
  label: fieldInWords(field),
  message,
})

/**
 * An AppError's message and details for a refusal about one field: the message names the field
 * in words ("Milestone 2 amount must be an amount above zero") unless `message` says it better,
 * `field` keeps its path and `errors` the problem alone (shown beside the field), as request
 * validation does. `throw errors.invalid(...aboutField(field, words))`
 */
export function aboutField(
  field: string,
  words: string,
  details: Record<string, unknown> = {},
  message?: string,
): [message: string, details: Record<string, unknown>] {
  const entry = fieldError(field, words)
  return [message ?? `${entry.label} ${words}`, { ...details, field, errors: [entry] }]
}

/**
 * The error's message for people: the first field in words with its problem, and how many more
 * there are ("Title must not be empty (and 2 more fields)").
 */
export function fieldErrorsMessage(errors: FieldError[]): string {
  const [first, ...rest] = errors
  if (!first) return 'The request is not valid'
  const more = rest.length === 0 ? '' : ` (and ${rest.length} more field${rest.length === 1 ? '' : 's'})`
  return `${first.label} ${first.message}${more}`
}

const typeWords: Record<string, string> = {
  integer: 'must be a whole number',
  number: 'must be a number',
  string: 'must be text',
  boolean: 'must be yes or no',
  array: 'must be a list',
  object: 'must be a group of fields',
  null: 'must be empty',
}

const formatWords: Record<string, string> = {
  'date-time': 'must be a date and time',
  date: 'must be a date',
  email: 'must be an email address',
  uri: 'must be a web address',
  url: 'must be a web address',
  uuid: 'must be an id',
}

/** The field an Ajv error is about, as a dotted path (`budget.min`), or '' for the whole body. */
export function fieldOf(error: FastifySchemaValidationError): string {
  const params = error.params as { missingProperty?: string; additionalProperty?: string }
  const pointer = (error.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.')
  const child =
    error.keyword === 'required'
      ? params.missingProperty
      : error.keyword === 'additionalProperties'
        ? params.additionalProperty
        : undefined
  return child ? (pointer ? `${pointer}.${child}` : child) : pointer
}

/** What is wrong with the field, in plain words and without the field's name. */
export function wordsOf(error: FastifySchemaValidationError): string {
  const params = error.params as Record<string, unknown>
  const limit = params.limit as number
  switch (error.keyword) {
    case 'required':
      return 'is required'
    case 'additionalProperties':
      return 'is not an accepted field'
    case 'minLength':
      return limit <= 1 ? 'must not be empty' : `must be at least ${limit} characters`
    case 'maxLength':
      return `must be at most ${limit} characters`
    case 'minimum':
      return `must be at least ${limit}`
    case 'exclusiveMinimum':
      return `must be more than ${limit}`
    case 'maximum':
      return `must be at most ${limit}`
    case 'exclusiveMaximum':
      return `must be less than ${limit}`
    case 'minItems':
      return limit <= 1 ? 'must not be empty' : `must have at least ${limit} entries`
    case 'maxItems':
      return `must have at most ${limit} entries`
    case 'type':
      return typeWords[String(params.type).split(',')[0]!] ?? 'has the wrong kind of value'
    case 'format':
      return formatWords[String(params.format)] ?? 'is not in the expected form'
    case 'enum': {
      const allowed = (params.allowedValues as unknown[] | undefined) ?? []
      return allowed.length > 0 && allowed.length <= 25
        ? `must be one of: ${allowed.join(', ')}`
        : 'is not one of the accepted values'
    }
    case 'pattern':
      // The common pattern \S: something besides spaces.
      return params.pattern === '\\S' ? 'must not be blank' : 'is not in the expected form'
    case 'const':
      return 'is not one of the accepted values'
    default:
      return 'is not valid'
  }
}

/** `idempotency-key` -> `The Idempotency-Key header`. */
const headerInWords = (name: string) =>
  `The ${name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase())} header`

/**
 * Every invalid field once (its first problem), at most 20: a form shows them all at once.
 * `context` is where the fields are (`body`, `querystring`, `headers`).
 */
export function fieldErrors(errors: FastifySchemaValidationError[], context = 'body'): FieldError[] {
  const seen = new Map<string, FieldError>()
  for (const error of errors) {
    // anyOf/oneOf repeat what their branches said; the branches name the problem.
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf' || error.keyword === 'if') continue
    const field = fieldOf(error)
    if (!seen.has(field))
      seen.set(
        field,
        context === 'headers'
          ? { field, label: headerInWords(field), message: wordsOf(error) }
          : fieldError(field, wordsOf(error)),
      )
    if (seen.size === 20) break
  }
  return [...seen.values()]
}
