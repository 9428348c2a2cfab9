import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../http/errors.js'
import { isDependencyUnavailable } from '../http/unavailable.js'
import { fieldError, fieldErrors, fieldErrorsMessage, fieldOf, type FieldError } from '../http/validation-errors.js'

/** Answers some not-found requests with something else (the web app's page). */
export interface PageFallback {
  matches(request: FastifyRequest): boolean
  serve(request: FastifyRequest, reply: FastifyReply): Promise<unknown>
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Installs the answer for browser page requests that match no route (the web plugin
     * serves the app's index.html there); every other unknown route keeps the JSON 404.
     */
    setPageFallback(fallback: PageFallback): void
  }
}

const fastifyCodes: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'request.too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'request.unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'request.invalid_length',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'request.empty_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'request.invalid_json',
  FST_ERR_CTP_EMPTY_TYPE: 'request.invalid_content_type',
  FST_ERR_CTP_INVALID_TYPE: 'request.invalid_content_type',
  FST_ERR_BAD_URL: 'request.bad_url',
  FST_ERR_ASYNC_CONSTRAINT: 'request.invalid',
}

/**
 * One error shape for every route: `{ code, message, requestId }`. 4xx messages say what
 * was wrong (validation names the field, and lists every invalid field in `errors`:
 * `[{ field, message }]`, the message in words); 5xx bodies never carry internal text.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    const requestId = request.id
    if (error instanceof AppError) {
      if (error.statusCode >= 500) request.log.error({ err: error }, 'application error')
      if (error.details && typeof error.details.retryAfter === 'number') {
        void reply.header('retry-after', String(error.details.retryAfter))
      }
      // A refusal about one field is listed like a validation error, so forms show it beside the field.
      const field = error.details?.field
      const listed = error.details?.errors
      const errors =
        error.statusCode >= 500
          ? {}
          : Array.isArray(listed)
            ? { errors: listed.map((e: FieldError) => fieldError(e.field, e.message)) }
            : typeof field === 'string'
              ? { errors: [fieldError(field, error.message)] }
              : {}
      return reply
        .status(error.statusCode)
        .send({ ...error.details, ...errors, code: error.code, message: error.message, requestId })
    }
    const fastifyError = error as FastifyError
    if (fastifyError.validation) {
      const first = fastifyError.validation[0]
      const context = fastifyError.validationContext ?? 'request'
      // An id in the path that cannot exist is simply not found: ids leak nothing.
      if (context === 'params') {
        return reply.status(404).send({ code: 'not_found', message: 'Not found', requestId })
      }
      const errors = fieldErrors(fastifyError.validation, context)
      // The message names the field in words, not its path in the request ("body.budgetMin").
      const message = fieldErrorsMessage(errors)
      const field = (first ? fieldOf(first) : '') || null
      return reply.status(400).send({ code: 'request.invalid', message, field, errors, requestId })
    }
    const status = fastifyError.statusCode
    if (status && status >= 400 && status < 500) {
      const code = fastifyCodes[fastifyError.code] ?? (status === 429 ? 'request.rate_limited' : 'request.invalid')
      return reply.status(status).send({ code, message: fastifyError.message, requestId })
    }
    if (isDependencyUnavailable(error)) {
      request.log.warn({ err: error }, 'a dependency is unavailable')
      void reply.header('retry-after', '5')
      return reply.status(503).send({
        code: 'service.unavailable',
        message: 'The service is briefly unavailable. Nothing was changed; try again in a few seconds.',
        requestId,
      })
    }
    request.log.error({ err: error }, 'unhandled error')
    const code = status === 503 ? 'unavailable' : 'internal'
    return reply
      .status(status && status >= 500 ? status : 500)
      .send({ code, message: status === 503 ? 'Service unavailable' : 'Internal server error', requestId })
  })

  let pageFallback: PageFallback | null = null
  app.decorate('setPageFallback', (fallback: PageFallback) => {
    pageFallback = fallback
  })

  app.setNotFoundHandler((request, reply) => {
    if (pageFallback?.matches(request)) return pageFallback.serve(request, reply)
    return reply.status(404).send({
      code: 'not_found',
      message: `No route ${request.method} ${request.url.split('?')[0]}`,
      requestId: request.id,
    })
  })
}
