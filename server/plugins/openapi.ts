import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The OpenAPI 3.1 `webhooks` section: what this server POSTs to others, by event name (a
     * Path Item each). Modules add theirs when they start, before the document is first read.
     */
    openapiWebhooks: Record<string, object>
  }
}

/** Every route's TypeBox schema becomes the OpenAPI document at `/openapi.json`; docs at `/docs`. */
export const openapiPlugin = fp(
  async (app) => {
    const webhooks: Record<string, object> = {}
    app.decorate('openapiWebhooks', webhooks)
    await app.register(swagger, {
      transformObject: (document) =>
        'openapiObject' in document
          ? { ...document.openapiObject, ...(Object.keys(webhooks).length ? { webhooks: { ...webhooks } } : {}) }
          : document.swaggerObject,
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Workroom API',
          version: '1',
          description: 'Jobs, proposals, live workrooms, escrow, hourly work, invoices, feedback.',
        },
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer' },
            cookie: { type: 'apiKey', in: 'cookie', name: 'wr_session' },
          },
        },
        security: [{ bearer: [] }, { cookie: [] }],
      },
    })
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } })
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  },
  { name: 'openapi' },
)
