# No "# syntax=" line: it makes BuildKit fetch its frontend image from Docker Hub, and this
# file needs nothing beyond the builder's own syntax (it is also built with podman in CI).

# Build stage: compiles TypeScript with the dev dependencies; sets the production ones apart.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
# Pruned before the sources come in, so a change to src reuses this layer (and the runtime
# stage's copy of it) instead of producing another 100 MB of identical modules.
RUN mkdir /production && cp -a package.json package-lock.json node_modules /production/ \
 && cd /production && npm prune --omit=dev --ignore-scripts --no-audit --no-fund
COPY src ./src
# Only src is in this stage, so tsconfig.json's test and bench globs match nothing.
RUN npx tsc -p tsconfig.json

# Runtime stage: production dependencies and compiled code only, as the non-root node user.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /production/node_modules ./node_modules
COPY --from=build /app/obj/src ./obj/src
# The gRPC contract is read at run time from its .proto.
COPY src/protos ./src/protos
# So are the operator console's page, script and stylesheet.
COPY src/console ./src/console
COPY package.json run.js ./
COPY bin ./bin
COPY config ./config
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8080) + '/heartbeat').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "run"]
