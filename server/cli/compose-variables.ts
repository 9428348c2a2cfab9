/**
 * What docker-compose.yml reads from `.env` besides the server's own settings: the proxy's
 * domain and ports and the other services' credentials. The server never reads these;
 * `npm run docs:config` appends them to `.env.example` so one file lists everything.
 * A required one makes Compose refuse to start, naming it (`${VAR:?message}`).
 */
export interface ComposeVariable {
  name: string
  description: string
  /** What `.env.example` gives it (secrets stay empty). */
  example: string
  required?: boolean
  secret?: boolean
}

export const composeVariables: readonly ComposeVariable[] = [
  {
    name: 'WORKROOM_DOMAIN',
    description:
      'Domain the proxy (Caddy) serves with automatic HTTPS, e.g. `workroom.example.com`: its DNS must point here and ports 80 and 443 be reachable; set `PUBLIC_URL=https://<domain>` with it. Empty: plain HTTP on port 80.',
    example: '',
  },
  { name: 'HTTP_PORT', description: 'Host port of the proxy for HTTP.', example: '80' },
  { name: 'HTTPS_PORT', description: 'Host port of the proxy for HTTPS (TCP and UDP).', example: '443' },
  { name: 'POSTGRES_USER', description: 'Postgres user the server connects as.', example: 'workroom' },
  {
    name: 'POSTGRES_PASSWORD',
    description:
      'Its password (letters and digits: it goes into a URL), e.g. `openssl rand -hex 24`. Applied only when the Postgres volume is first created.',
    example: '',
    required: true,
    secret: true,
  },
  { name: 'POSTGRES_DB', description: 'Postgres database.', example: 'workroom' },
  {
    name: 'MINIO_ROOT_USER',
    description: 'MinIO root user, for the setup job and the console only (3+ characters).',
    example: 'workroom-admin',
  },
  {
    name: 'MINIO_ROOT_PASSWORD',
    description: 'MinIO root password (8+ characters).',
    example: '',
    required: true,
    secret: true,
  },
  {
    name: 'REDIS_PASSWORD',
    description: 'Password Redis requires (letters and digits: it goes into `REDIS_URL`), e.g. `openssl rand -hex 24`.',
    example: '',
    required: true,
    secret: true,
  },
]
