import helmet from 'helmet'
import fp from 'fastify-plugin'

/**
 * The content security policy of every page the server sends (the web app, `/docs`).
 * Styles allow inline because the terms editor (CodeMirror) and the API explorer write
 * style attributes at run time; scripts come only from the site itself.
 */
export const contentSecurityPolicy = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'media-src': ["'self'", 'blob:'],
  'connect-src': ["'self'", 'ws:', 'wss:'],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'frame-ancestors': ["'none'"],
  'form-action': ["'self'"],
}

/**
 * Security headers on every response (`helmet`): the policy above, no framing, no MIME
 * sniffing, same-origin referrers; HSTS only when the site is served over HTTPS. A route with
 * a stricter policy (a printable invoice) sets its own after this.
 *
 * Helmet's middleware is built once here and applied to every response; the Fastify wrapper
 * builds it again on every request (parsing the whole policy each time: ~6% of the CPU of an
 * authenticated `GET /api/v1/me`).
 */
export const securityHeadersPlugin = fp<{ https: boolean }>(
  async (app, { https }) => {
    const apply = helmet({
      contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy },
      referrerPolicy: { policy: 'same-origin' },
      strictTransportSecurity: https ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
    })
    app.addHook('onRequest', (request, reply, done) => {
      apply(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined))
    })
  },
  { name: 'security-headers' },
)
