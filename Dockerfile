# Workroom server image.
#
#   docker build -t workroom .
#   docker run -p 3000:3000 -v workroom-data:/data workroom
#
# Without DATABASE_URL / S3_ENDPOINT the server uses the embedded PGlite
# database and local-disk storage under /data; docker-compose.yml wires it
# to Postgres, MinIO and Redis instead.

# package.json asks for Node >= 20; pass --build-arg NODE_VERSION=22 to move up.
ARG NODE_VERSION=20

# Build stage: the web app (Vite, Preact) needs the dev dependencies; only its output
# (client/web/dist) goes on to the runtime image.
FROM node:${NODE_VERSION}-bookworm-slim AS web
WORKDIR /build
COPY package.json package-lock.json ./
# The postinstall build has no sources yet: skip it here, build explicitly below.
RUN npm ci --no-audit --no-fund --ignore-scripts
# The web app imports what it shares with the server from common/.
COPY common ./common
COPY client ./client
RUN npm run build:web

FROM node:${NODE_VERSION}-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so this layer is reused while only the source changes.
# tsx (the TypeScript runner) is a runtime dependency, so --omit=dev keeps it;
# sharp and @node-rs/argon2 come as prebuilt optional packages (no compiler needed).
# --ignore-scripts: the postinstall web build has no sources at this point (the build
# stage made the app); no runtime dependency needs an install script.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && npm cache clean --force

# The source stays owned by root: the server only reads it. It writes to /data
# (state) and the OS temp dir (tsx's compile cache).
COPY . .
COPY --from=web /build/client/web/dist ./client/web/dist

RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]

ENV HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data

USER node
EXPOSE 3000

# No curl in the slim image: probe readiness (database + storage) with node itself.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=4 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]

# Same as `npm start` (tsx server/main.ts) without npm in between, so SIGTERM
# from `docker stop` reaches tsx, which passes it on to the server.
CMD ["node_modules/.bin/tsx", "server/main.ts"]
