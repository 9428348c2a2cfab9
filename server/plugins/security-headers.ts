import helmet from '@fastify/helmet'
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
 * Security headers on every response (`@fastify/helmet`): the policy above, no framing,
 * no MIME sniffing, same-origin referrers; HSTS only when the site is served over HTTPS.
 * A route with a stricter policy (a printable invoice) sets its own after this.
 */
export const securityHeadersPlugin = fp<{ https: boolean }>(
  async (app, { https }) => {
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy },
      referrerPolicy: { policy: 'same-origin' },
      strictTransportSecurity: https ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
    })
  },
  { name: 'security-headers' },
)
