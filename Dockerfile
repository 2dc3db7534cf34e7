# syntax=docker/dockerfile:1
# The order platform as a container: `docker compose up` runs it against EventStoreDB.
#
#   toolchain  node + python3/make/g++ (better-sqlite3 builds a native addon when no prebuilt one fits)
#   build      every dependency, then `tsc` into dist/
#   prod-deps  production dependencies only (`npm ci --omit=dev`), compiled here
#   runtime    slim node image, non-root `node` user, dist/ + prod node_modules, `node dist/main.js`
#
# The read models stay in SQLite under DATA_DIR (/data, a volume) in every store mode.
# The read-model CLI is compiled with the service (there is no tsx in the image):
#   docker compose exec order-platform node dist/cli/projections.js status
#   docker compose exec order-platform node dist/cli/projections.js rebuild <name|all>
#
# Node 24, the active LTS. The one native module in production, better-sqlite3 12, supports Node
# 20 to 26 (its `engines`); `npm ci` takes its prebuilt binary for this Node and libc when there is
# one and compiles it with the toolchain stage's python3/make/g++ otherwise, in both dependency
# stages, so the runtime image never compiles. The other dependencies are plain JavaScript.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The root postinstall (scripts/complete-lockfile.mjs) runs during `npm ci`, so it comes in with the manifests.
COPY package.json package-lock.json ./
COPY scripts ./scripts

FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM toolchain AS prod-deps
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=prod-deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node runs directly (no npm, no shell), so SIGTERM reaches the server, which drains, saves checkpoints and exits 0.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
