# vigil serve as a container: docker build -t vigil . && docker run -p 4317:4317 -p 4318:4318 -p 9464:9464 vigil
# Multi-stage: the build stage compiles the workspaces and packs @vigil/errors, @vigil/core, @vigil/detectors and
# @vigil/server;
# the runtime stage installs only those tarballs and their production dependencies, and runs as a non-root user.

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY packages/ packages/
COPY bench/package.json bench/package.json
# The eBPF addon's native build is not needed by the server (it needs clang and libbpf): skip install scripts.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm run build --workspace @vigil/errors --workspace @vigil/core --workspace @vigil/detectors --workspace @vigil/server \
 && mkdir /packed \
 && npm pack --pack-destination /packed packages/errors packages/core packages/detectors packages/server

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /packed/ /tmp/packed/
RUN npm install --omit=dev --no-audit --no-fund /tmp/packed/*.tgz \
 && rm -rf /tmp/packed /root/.npm \
 && mkdir -p /etc/vigil /var/lib/vigil \
 && chown 10001:10001 /var/lib/vigil
COPY packages/server/vigil.example.yaml /etc/vigil/vigil.example.yaml
USER 10001:10001
# OTLP/gRPC, OTLP/HTTP, admin (/healthz /readyz /metrics).
EXPOSE 4317 4318 9464
VOLUME /var/lib/vigil
HEALTHCHECK --interval=15s --timeout=3s CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/node_modules/@vigil/server/dist/cli.js"]
# Mount a vigil.yaml at /etc/vigil/vigil.yaml and run `serve --config /etc/vigil/vigil.yaml`; without it every
# default applies (no saved state).
CMD ["serve"]
