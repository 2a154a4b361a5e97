# syntax=docker/dockerfile:1
# One image for `freshet worker` and `freshet web` (docker-compose.yml runs both).
# Build: docker build -t freshet .   Run: docker run --env-file ... freshet worker
#
# Node 24 LTS on Debian slim: DuckDB's and Temporal's native modules are built for glibc, so no
# Alpine. The tag is pinned; bump it on purpose.
ARG NODE_IMAGE=node:24.11.1-bookworm-slim

# --- runtime dependencies only: tsx runs the TypeScript as is, so there is no compile step
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- the web page, built once here instead of by web/build.ts at every container start
FROM deps AS page
COPY . .
RUN NODE_ENV=production node node_modules/vite/bin/vite.js build \
      --config web/app/vite.config.ts --outDir /app/web-dist --emptyOutDir --logLevel warn \
 && test -f /app/web-dist/index.html

# --- what runs
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    FRESHET_WEB_DIST=/app/web-dist
WORKDIR /app
# Owned by root and read-only to the process: the code cannot be changed by what it runs.
# DuckDB spills, the S3 cache and tsx's cache go to the temp folder (FRESHET_DUCKDB_SPILL and
# FRESHET_S3_CACHE move them, e.g. to a volume).
COPY --from=deps /app/node_modules ./node_modules
COPY . .
COPY --from=page /app/web-dist ./web-dist
# `node` (uid 1000) comes with the official image.
USER node
# the web page (freshet web), and a worker's /metrics when FRESHET_METRICS_PORT=9464 (docker-compose.yml)
EXPOSE 8300 9464
ENTRYPOINT ["node", "bin/freshet.mjs"]
CMD ["worker"]
