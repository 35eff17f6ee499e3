# syntax=docker/dockerfile:1
# The App server. test/deploy/production-steps.test.ts performs these steps without Docker (it
# reads this file), so keep to FROM, ARG, ENV, WORKDIR, COPY, RUN, USER, EXPOSE, HEALTHCHECK and
# CMD, with RUN commands that work in any directory.

# The base image is named by tag, not yet by digest: pin both FROM lines with the digest that
# `docker buildx imagetools inspect node:24-bookworm-slim` prints (node:24-bookworm-slim@sha256:…).

# Build stage: esbuild bundles the server with the dependencies it does not share with Probot
# (scripts/build-server.ts says which and why), so those are installed here too.
FROM node:24-bookworm-slim AS build
WORKDIR /build
# The version package-lock.json has (the test checks that they agree). One directory up, where the
# build script still finds it: `npm ci` below starts from an empty node_modules here.
ARG ESBUILD_VERSION=0.28.2
RUN npm install --prefix .. --ignore-scripts --no-save --no-package-lock --no-audit --no-fund esbuild@${ESBUILD_VERSION}
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY templates templates
COPY scripts/build-server.ts scripts/
COPY src src
RUN node scripts/build-server.ts

# Runtime stage: the production dependencies and the bundle, run as the unprivileged `node` user.
# Configured by Probot's environment variables (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, ...; docs/deploy.md).
FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /build/lib/server lib/server
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/ping').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "--enable-source-maps", "lib/server/main.mjs"]
