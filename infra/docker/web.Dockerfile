# syntax=docker/dockerfile:1.7
# Image of @mlops/web: the dashboard (Vite assets + a small Fastify server).
# Build from the repository root:  docker build -f infra/docker/web.Dockerfile -t mlops/web .
# Stages: prune (turbo prune --docker: only this app's workspaces) → build (esbuild bundle,
# workspace code inlined) → deps (the npm packages the bundle loads, pruned) → runtime
# (Debian slim + the node binary, non-root).
ARG NODE_IMAGE=node:20.19-bookworm-slim
# The runtime stage: plain Debian plus the node binary (no npm, no C headers, no yarn).
ARG RUNTIME_IMAGE=debian:bookworm-slim
ARG TURBO_VERSION=2.11.11

FROM ${NODE_IMAGE} AS prune
ARG TURBO_VERSION
WORKDIR /repo
RUN npm install -g turbo@${TURBO_VERSION}
COPY . .
RUN turbo prune @mlops/web --docker --out-dir /out

# Native modules (better-sqlite3) build here when no prebuilt binary matches: glibc, Debian.
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /repo
# onnxruntime-node's install script fetches its CUDA provider from nuget.org: these images run
# on CPU (the GPU trainer has its own Dockerfile) and the package already ships the CPU library.
ENV ONNXRUNTIME_NODE_INSTALL=skip

FROM toolchain AS build
COPY --from=prune /out/json/ ./
# Install scripts are not needed to bundle (esbuild's and Rollup's binaries come as optional
# packages): no native compile here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY --from=prune /out/full/ ./
COPY tsconfig.base.json ./
COPY scripts/build/build-app.mjs ./scripts/build/
RUN npx turbo run build --filter=@mlops/web

FROM toolchain AS deps
COPY --from=prune /out/json/ ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# What the app never loads goes (scripts/images/prune-modules.mjs): the packages its bundle does
# not import (the build lists those it does in dist/externals.json); then the install scripts of
# those left run (better-sqlite3 compiles only for the apps that use it); then, in every package,
# the files Node does not load (TF.js browser bundles, other platforms' binaries, C sources).
# Own layers: the runtime copies the result, and a change here does not rerun npm ci.
COPY scripts/images/prune-modules.mjs /tmp/
COPY --from=build /repo/apps/web/dist/externals.json /tmp/
RUN node /tmp/prune-modules.mjs --packages-only --app apps/web --imports /tmp/externals.json \
    node_modules apps/*/node_modules packages/*/node_modules \
  && npm rebuild --no-audit --no-fund \
  && node /tmp/prune-modules.mjs node_modules apps/web/node_modules

# The node binary without its symbol table (-13 MB; the dynamic symbols native addons link
# against stay). The runtime takes only this binary from the Node image: npm, corepack, yarn and
# the C headers (≈ 70 MB) are build tools. Same Debian release: its libraries are all there.
FROM toolchain AS node
RUN strip /usr/local/bin/node

FROM ${RUNTIME_IMAGE} AS runtime
COPY --from=node /usr/local/bin/node /usr/local/bin/node
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --create-home node
ENV NODE_ENV=production \
    MLOPS_BIND=0.0.0.0 \
    WEB_PORT=7603
WORKDIR /app
COPY --from=deps --chown=node:node /repo/ ./
COPY --from=build --chown=node:node /repo/apps/web/dist ./apps/web/dist
USER node
EXPOSE 7603
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.WEB_PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--enable-source-maps", "apps/web/dist/server.js"]
