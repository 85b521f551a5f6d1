# camsweep container image.
#
# Multicast discovery does not cross Docker's bridge network: run with host networking so
# the agent sees the building's segments, e.g.
#   docker run --rm --network host camsweep sweep --format json
# The image runs as an unprivileged user; plain UDP/HTTP discovery needs no capabilities.

# ---- build: compile TypeScript to dist/ and keep only production dependencies ----
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The `node` devDependency (a local Node 24 for checkouts on older hosts) is not needed here:
# the base image is Node 24 already; skip its install script.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev --ignore-scripts

# ---- runtime ----
FROM node:24-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini iproute2 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY config ./config
COPY schemas ./schemas
# Data directory for later inventory/outbox use; the only writable path the agent needs.
RUN mkdir -p /var/lib/camsweep && chown node:node /var/lib/camsweep
VOLUME ["/var/lib/camsweep"]
USER node
# tini reaps children and forwards signals so SIGTERM stops a sweep cleanly.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/camsweep.js"]
CMD ["sweep", "--format", "json"]
