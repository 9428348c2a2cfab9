import path from 'node:path'
import { fileURLToPath } from 'node:url'
import preact from '@preact/preset-vite'
import { defineConfig } from 'vite'

const root = path.dirname(fileURLToPath(import.meta.url))

// The web app: built into client/web/dist, which the server serves at `/`.
// `npm run dev:web` proxies the API to a server on :3000.
export default defineConfig({
  root,
  plugins: [preact()],
  build: {
    // WEB_DIR: the same setting the server reads to find the build.
    outDir: process.env.WEB_DIR ? path.resolve(process.env.WEB_DIR) : path.join(root, 'dist'),
    emptyOutDir: true,
    // Hashed file names under /assets/ are what the server caches for a year.
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:3000', ws: true },
    },
  },
})
