# syntax=docker/dockerfile:1
# One image definition for the backend services (auth, products, orders, payments, expiration, ops, shipping, notifications),
# chosen with the SERVICE build argument. Build context: the repository root, so the workspace lock
# (package-lock.json) and @jetmart/common are included:
#   docker build -f infra/docker/service.Dockerfile --build-arg SERVICE=orders .
# (skaffold.yaml and .github/workflows/_deploy-service.yml pass it; client/Dockerfile is separate.)
# Stages: build (all deps, compiles common then the service), deps (production deps only), dev
# (skaffold dev: recompiles synced sources), runtime (the default: built JS + production deps, non-root).
# RUN steps use paths relative to WORKDIR: scripts/check-docker-build.sh replays them without Docker.
# An ARG is only in scope in the stage that declares it, so every stage that uses SERVICE re-declares
# it (without a default: the global declaration below carries the value passed with --build-arg).

ARG SERVICE

FROM node:20.20.2-bookworm-slim AS build
ARG SERVICE
RUN test -n "$SERVICE" || { echo "SERVICE is not set: build with --build-arg SERVICE=<auth|products|orders|payments|expiration|ops|shipping|notifications>" >&2; exit 1; }
WORKDIR /app
COPY package.json package-lock.json ./
COPY common/package.json common/
COPY ${SERVICE}/package.json ${SERVICE}/
RUN npm ci --workspace common --workspace "$SERVICE" --include-workspace-root --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json ./
COPY common/ common/
COPY ${SERVICE}/ ${SERVICE}/
RUN npm run build --workspace common && npm run build --workspace "$SERVICE"

FROM node:20.20.2-bookworm-slim AS deps
ARG SERVICE
RUN test -n "$SERVICE" || { echo "SERVICE is not set: build with --build-arg SERVICE=<auth|products|orders|payments|expiration|ops|shipping|notifications>" >&2; exit 1; }
WORKDIR /app
COPY package.json package-lock.json ./
COPY common/package.json common/
COPY ${SERVICE}/package.json ${SERVICE}/
RUN npm ci --workspace "$SERVICE" --include-workspace-root=false --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

FROM build AS dev
ARG SERVICE
ENV NODE_ENV=development PORT=3000
RUN chown -R node:node "$SERVICE" common
USER node
WORKDIR /app/${SERVICE}
EXPOSE 3000
CMD ["sh", "-c", "npx tsc -p tsconfig.build.json --watch --preserveWatchOutput & exec node --watch dist/index.js"]

FROM node:20.20.2-bookworm-slim AS runtime
ARG SERVICE
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=deps /app ./
COPY --from=build /app/common/dist common/dist
COPY --from=build /app/${SERVICE}/dist ${SERVICE}/dist
USER node
WORKDIR /app/${SERVICE}
EXPOSE 3000
CMD ["node", "dist/index.js"]
