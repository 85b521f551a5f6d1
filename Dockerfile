# camsweep container image (docs/deploy.md).
#
# Multicast discovery does not cross Docker's bridge network: run with host networking so
# the agent sees the building's segments. By default the image runs the daemon:
#   docker run -d --network host -v camsweep-data:/var/lib/camsweep \
#     -e CAMSWEEP_REPORT_ENDPOINT=https://central.example.org/v1/reports camsweep
# and a one-off sweep is still one command away:
#   docker run --rm --network host camsweep sweep --format json
# The image runs as an unprivileged user; plain UDP/HTTP discovery needs no capabilities
# (run it with --cap-drop ALL --read-only --security-opt no-new-privileges).

# The base image of both stages, in one place. Pin it by digest for a release (the tag stays
# for people, the digest decides what is built): `sh scripts/pin-base-image.sh` resolves the
# current node:24-bookworm-slim index digest and writes it here, e.g.
#   ARG NODE_IMAGE=node:24-bookworm-slim@sha256:<64 hex digits>
# (tests/unit/deploy/docker.test.ts accepts the tag alone or the tag with a digest, nothing else).
# The digest below is node:24-bookworm-slim as of Node 24.18.0, read from public Dockerfiles that
# pin the same image (the machine this was written on reaches no container registry): run the
# script before a release to move it to the tag's current digest.
ARG NODE_IMAGE=node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d

# ---- build: compile TypeScript to dist/ and keep only production dependencies ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The `node` devDependency (a local Node 24 for checkouts on older hosts) is not needed here:
# the base image is Node 24 already; skip its install script.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev --ignore-scripts

# ---- runtime ----
FROM ${NODE_IMAGE}
ARG NODE_IMAGE
# Set by the build (docs/deploy.md): docker build --build-arg VERSION=$(node -p "require('./package.json').version") \
#   --build-arg REVISION=$(git rev-parse HEAD) --build-arg CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ) .
ARG VERSION=unknown
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="camsweep" \
      org.opencontainers.image.description="Finds surveillance devices of restricted makers on building networks (ONVIF WS-Discovery, SSDP/UPnP, mDNS, SADP, DHIP) and reports them" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/camsweep/camsweep" \
      org.opencontainers.image.documentation="https://github.com/camsweep/camsweep/blob/main/docs/deploy.md" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
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
# The package's snapshots (parsed fingerprints, vocabulary and policy packs, the OUI names:
# docs/performance.md), filled now, as the package directory is read-only for the agent:
# without them every sweep parses the YAML again (~300 ms of CPU). A broken database fails here.
RUN node --input-type=module -e "(await import('/app/dist/agent/snapshots.js')).warmSnapshots()" \
 && ls node_modules/.cache/camsweep/fingerprints.json node_modules/.cache/camsweep/policy.json node_modules/.cache/camsweep/oui.tsv
# Data directory (inventory.db, outbox.db): the only writable path the agent needs.
RUN mkdir -p /var/lib/camsweep && chown node:node /var/lib/camsweep && chmod 0700 /var/lib/camsweep
VOLUME ["/var/lib/camsweep"]
ENV CAMSWEEP_DATA_DIR=/var/lib/camsweep
USER node
# /healthz and /metrics (daemon.http.listen, 127.0.0.1:9464 by default; with host networking
# that is the host's loopback).
EXPOSE 9464
# `camsweep health` asks the daemon's /healthz (no curl in the image). It reads the same
# configuration as the daemon: $CAMSWEEP_CONFIG and the CAMSWEEP_* variables. Unhealthy when
# the daemon stops answering, or when no sweep has succeeded for two schedule periods.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "--max-semi-space-size=4", "/app/bin/camsweep.js", "health", "--timeout", "5"]
# tini (PID 1) reaps children and forwards signals: SIGTERM stops the daemon within
# daemon.shutdownTimeout (8 s by default, under `docker stop`'s 10 s; raise both together).
# --max-semi-space-size=4: as bin/camsweep.js's second line (docs/decisions/window.md: caps
# V8's young generation, which otherwise grows to 32 MB semi-spaces during a large sweep).
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--max-semi-space-size=4", "/app/bin/camsweep.js"]
CMD ["daemon"]
