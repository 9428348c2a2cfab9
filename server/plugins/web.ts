import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

/** Where `vite build` puts the web app (client/web/dist). */
export const webDistDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../client/web/dist')

/** Paths that belong to the server, never to the web app's client-side routes. */
const serverPrefixes = ['/api/', '/docs', '/openapi.json', '/healthz', '/readyz', '/metrics']

/** The web app's pages are revalidated on every load (their security headers come from security-headers.ts). */
function htmlHeaders(reply: FastifyReply): void {
  void reply.header('cache-control', 'no-cache')
}

/** A page address the web app routes itself (`/jobs/123`), asked for by a browser. */
export function isPageRequest(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false
  const accept = request.headers.accept ?? ''
  if (!accept.includes('text/html')) return false
  const pathname = request.url.split('?')[0] ?? '/'
  return !serverPrefixes.some((prefix) => pathname === prefix.replace(/\/$/, '') || pathname.startsWith(prefix))
}

/**
 * Serves the built web app at `/`: hashed assets cached for a year, `index.html` revalidated
 * on every load, and the app's own routes (`/jobs/123`) answered with `index.html` so a
 * reload or a shared link works. Without a built app the server runs API-only.
 */
export const webPlugin = fp<{ distDir?: string }>(
  async (app, options) => {
    const root = options.distDir ?? webDistDir
    if (!existsSync(path.join(root, 'index.html'))) {
      app.log.warn({ dir: root }, 'the web app is not built (npm run build:web): serving the API only')
      return
    }
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      // One route per built file, registered at start: unknown paths reach the not-found
      // handler (JSON 404, or the app for page addresses) instead of a catch-all route.
      wildcard: false,
      globIgnore: ['**/*.gz', '**/*.br'],
      preCompressed: true,
      cacheControl: false,
      index: ['index.html'],
      setHeaders: (reply, filePath) => {
        if (filePath.endsWith('.html')) htmlHeaders(reply)
        // Vite puts a content hash in every name under assets/: a changed file is a new URL.
        else if (filePath.includes(`${path.sep}assets${path.sep}`))
          void reply.header('cache-control', 'public, max-age=31536000, immutable')
        else void reply.header('cache-control', 'public, max-age=3600')
      },
    })
    app.setPageFallback({
      matches: isPageRequest,
      serve: async (_request, reply) => {
        void reply.header('vary', 'accept')
        return reply.sendFile('index.html', root)
      },
    })
  },
  { name: 'web' },
)
