# syntax=docker/dockerfile:1.7
# GPU image of @mlops/trainer: the same app as trainer.Dockerfile, plus @tensorflow/tfjs-node-gpu
# on a CUDA base. Nothing changes in the code: `initBackend('auto')` imports tfjs-node-gpu when
# it is installed and picks the native "tensorflow" backend (GPU when a device is visible), else
# wasm, else cpu. The default install never contains native TF.js.
#
# Versions (must move together):
#   @tensorflow/tfjs / tfjs-node-gpu 4.22.0 → libtensorflow 2.9.1 → CUDA 11.2 + cuDNN 8.1
#   base nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04 (glibc 2.31), Node 20.19 (official binary)
# Build (needs network to download libtensorflow during `npm install`):
#   docker build -f infra/docker/trainer-gpu.Dockerfile -t mlops/trainer-gpu .
# Run: docker run --gpus all -e TRAINER_BACKEND=tensorflow ... mlops/trainer-gpu
#   (TRAINER_BACKEND=tensorflow makes a missing GPU library an error instead of a wasm fallback)
ARG NODE_IMAGE=node:20.19-bookworm
ARG CUDA_IMAGE=nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04
ARG TURBO_VERSION=2.11.11
ARG TFJS_VERSION=4.22.0

FROM ${NODE_IMAGE} AS prune
ARG TURBO_VERSION
WORKDIR /repo
RUN npm install -g turbo@${TURBO_VERSION}
COPY . .
RUN turbo prune @mlops/trainer --docker --out-dir /out

FROM ${NODE_IMAGE} AS build
WORKDIR /repo
COPY --from=prune /out/json/ ./
RUN npm ci --no-audit --no-fund
COPY --from=prune /out/full/ ./
COPY tsconfig.base.json ./
COPY scripts/build/build-app.mjs ./scripts/build/
RUN npx turbo run build --filter=@mlops/trainer

# Production dependencies + the native GPU binding, pinned to the tfjs version of the lockfile so
# it registers its backend on the same @tensorflow/tfjs-core instance the app uses.
FROM ${NODE_IMAGE} AS deps
ARG TFJS_VERSION
WORKDIR /repo
COPY --from=prune /out/json/ ./
COPY scripts/images/prune-modules.mjs /tmp/
RUN npm ci --omit=dev --no-audit --no-fund \
  && npm install --no-save --no-audit --no-fund @tensorflow/tfjs-node-gpu@${TFJS_VERSION} \
  && npm cache clean --force \
  && node /tmp/prune-modules.mjs node_modules apps/*/node_modules packages/*/node_modules

FROM ${NODE_IMAGE} AS node

FROM ${CUDA_IMAGE} AS runtime
COPY --from=node /usr/local/bin/node /usr/local/bin/node
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --create-home node
ENV NODE_ENV=production \
    MLOPS_BIND=0.0.0.0 \
    TRAINER_PORT=7604 \
    TRAINER_BACKEND=auto \
    MLOPS_DATA_DIR=/data
WORKDIR /app
COPY --from=deps --chown=node:node /repo/ ./
COPY --from=build --chown=node:node /repo/apps/trainer/dist ./apps/trainer/dist
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 7604
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.TRAINER_PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--enable-source-maps", "apps/trainer/dist/server.js"]
