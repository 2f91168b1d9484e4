# syntax=docker/dockerfile:1
# One image for every app: the build compiles the whole workspace (tsc -b, and the web
# client with Vite into apps/web/dist, which the gateway serves at /) and the runtime
# stage carries each app's dist/ and migrations/; APP picks the one to run.
#   docker build --build-arg APP=identity -t octave-identity .
# The npm `node` dev dependency is not used here: the base image already is Node 24.

FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true
# Manifests first, so the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json ./
COPY libs/contracts/package.json libs/contracts/
COPY libs/platform/package.json libs/platform/
COPY libs/sdk/package.json libs/sdk/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
# Runtime needs only production dependencies; the workspace links to libs/* stay.
RUN npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force
# Gather what runs: manifests (for "type": "module" and the libs' exports), compiled
# libs and apps, and each app's SQL migrations, which the service reads next to dist/.
RUN set -eu; \
    mkdir -p /out; \
    cp package.json /out/; \
    for dir in libs/*/ apps/*/; do \
      dir=${dir%/}; mkdir -p "/out/$dir"; \
      if [ -f "$dir/package.json" ]; then cp "$dir/package.json" "/out/$dir/"; fi; \
      cp -R "$dir/dist" "/out/$dir/"; \
      if [ -d "$dir/migrations" ]; then cp -R "$dir/migrations" "/out/$dir/"; fi; \
    done; \
    find /out -name '*.tsbuildinfo' -delete

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the app's user.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /out/ ./
ARG APP
RUN if [ -z "${APP:-}" ] || [ ! -f "apps/${APP}/dist/main.js" ]; then \
      echo "build with --build-arg APP=<app>, one of: $(ls apps | tr '\n' ' ')" >&2; exit 1; \
    fi
ENV APP=${APP}
USER node
# exec replaces the shell, so signals (docker stop: SIGTERM) reach node itself.
CMD ["sh", "-c", "exec node \"apps/${APP}/dist/main.js\""]
