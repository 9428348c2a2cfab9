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

# Build stage: the web app (Vite, Preact) needs the dev dependencies, and the server is
# compiled to JavaScript (esbuild); only their output (dist/) goes on to the runtime image.
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
# The postinstall build has no sources yet: skip it here, build explicitly below.
RUN npm ci --no-audit --no-fund --ignore-scripts
# The web app imports what it shares with the server from common/.
COPY common ./common
COPY client ./client
RUN npm run build:web
# The server build bundles the server and its tools into dist/ and copies db/migrations and
# client/web/dist there, where dist/server/main.js finds them.
COPY server ./server
COPY db ./db
RUN npm run build

FROM node:${NODE_VERSION}-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so this layer is reused while only the source changes. The bundle
# loads some of them from here (PGlite, sharp, argon2, pino, the MinIO and Redis clients,
# the API docs' assets). sharp and @node-rs/argon2 come as prebuilt optional packages (no
# compiler needed).
# --ignore-scripts: the postinstall web build has no sources at this point (the build
# stage made the app); no runtime dependency needs an install script.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && npm cache clean --force

# Only the compiled server (with its migrations and the web app), owned by root: the
# server only reads it. It writes to /data (state).
COPY --from=build /build/dist ./dist

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

# node itself, no npm or TypeScript runner in between: SIGTERM from `docker stop` reaches
# the server, which drains (finishes requests, closes sockets and the database) and exits 0.
# As PID 1 without an init it still gets SIGTERM, since it installs its own handler;
# docker-compose.yml adds an init (`init: true`) to reap any stray child.
CMD ["node", "--enable-source-maps", "dist/server/main.js"]
