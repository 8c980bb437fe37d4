# syntax=docker/dockerfile:1
# Polku: one image with the API server (TypeScript run through tsx) and the built client.
#   docker build -t polku .
#   docker run -p 3000:3000 -e SESSION_SECRET=<32+ characters> -v polku-data:/data polku
# Without DATABASE_URL and S3_BUCKET it keeps its PGlite database and media in /data;
# docker-compose.yml runs it with PostgreSQL and MinIO instead.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: the client bundle (dist/client) -------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first: this layer is reused until package*.json change.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
# Only what `vite build` reads (client code imports shared/), so a server change does not rebuild the client.
COPY tsconfig.json vite.config.ts ./
COPY shared/ shared/
COPY client/ client/
RUN npm run build

# --- production dependencies (tsx is one: the server runs TypeScript through it) --------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

# --- runtime ---------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# Debian's ffmpeg for audio and video processing (see FFMPEG_PATH in server/config.ts).
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg \
  && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app

# Owned by root and read-only for the app user; only /data is writable.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY shared/ shared/
COPY server/ server/
COPY --from=build /app/dist/client ./dist/client

# The volume must exist with the app user as owner before VOLUME, so a fresh named volume inherits it.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node

EXPOSE 3000
# No curl in the slim image: node's fetch. /readyz answers 200 once the database and media storage do.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# NODE_ENV=production requires SESSION_SECRET (32+ characters); start-up lists every missing setting.
CMD ["node", "--import", "tsx", "server/main.ts"]
