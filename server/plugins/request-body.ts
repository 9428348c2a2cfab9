import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify'
import { AppError } from '../http/errors.js'

/**
 * How deep objects and arrays may nest in a JSON body. Our deepest body (tracked time
 * segments) nests 4 levels; anything far deeper is an attack on code that walks a value
 * recursively, so it is refused while parsing, before any hook or handler sees it.
 */
export const MAX_JSON_DEPTH = 32

export const bodyErrors = {
  tooDeep: () =>
    new AppError(
      400,
      'request.too_deep',
      `The request body nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep`,
    ),
  notAccepted: () => new AppError(400, 'request.body_not_accepted', 'This request takes no body: send it without one'),
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body's bytes as received (null for other bodies), e.g. for the idempotency fingerprint. */
    rawBody: Buffer | null
  }
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPENERS = new Set([0x5b, 0x7b])
const CLOSERS = new Set([0x5d, 0x7d])

/**
 * True when `json` nests more than `max` levels. One pass over the bytes, no recursion:
 * brackets inside strings do not count (UTF-8 continuation bytes never look like ASCII).
 * Malformed JSON is left for the parser to refuse.
 */
export function nestsDeeperThan(json: Buffer, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < json.length; i++) {
    const byte = json[i]!
    if (inString) {
      if (byte === BACKSLASH) i++
      else if (byte === QUOTE) inString = false
    } else if (byte === QUOTE) inString = true
    else if (OPENERS.has(byte)) {
      if (++depth > max) return true
    } else if (CLOSERS.has(byte)) depth--
  }
  return false
}

/**
 * Replaces the JSON parser with one that keeps the raw bytes and refuses bodies nested
 * deeper than MAX_JSON_DEPTH (the size limit stays fastify's `bodyLimit`), and makes every
 * route without a body schema (or `consumes`, as uploads declare) refuse a body: a route
 * declares its body or takes none.
 */
export function installBodyParsing(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.decorateRequest('rawBody', null)
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer
    if (nestsDeeperThan(bytes, MAX_JSON_DEPTH)) return done(bodyErrors.tooDeep(), undefined)
    request.rawBody = bytes
    void parseJson(request, bytes as unknown as string, done)
  })

  app.addHook('onRoute', (route: RouteOptions) => {
    // A route declares its body with a schema, or by what it consumes (uploads read multipart
    // streams themselves and answer 415 to anything else).
    const schema = route.schema as { body?: unknown; consumes?: unknown } | undefined
    if (schema?.body || schema?.consumes) return
    const existing = route.preValidation
    route.preValidation = [...(Array.isArray(existing) ? existing : existing ? [existing] : []), refuseBody]
  })
}

/** No body, or an empty JSON object (some clients send `{}` with every POST), is no body. */
async function refuseBody(request: FastifyRequest): Promise<void> {
  const body = request.body as unknown
  if (body === undefined || body === null || body === '') return
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return
  throw bodyErrors.notAccepted()
}
