# playloop's worker and HTTP API as an image, built from the packed tarball: the same files
# `npm install <tarball>` installs (tools/check-package.sh checks those on every CI run).
#
#   docker build -t playloop .
#   docker run --rm --init -e TEMPORAL_ADDRESS=... -e TEMPORAL_NAMESPACE=... -e TEMPORAL_API_KEY=... \
#     -v "$PWD/playbooks:/app/playbooks:ro" playloop                       # the worker
#   docker run --rm --init -p 8080:8080 -e PLAYLOOP_API_TOKEN=... -e TEMPORAL_ADDRESS=... ... playloop serve
#
# The README's "Deploying next to a Temporal cluster" lists the settings.

# 1. Build and pack. `npm pack` runs prepack, which builds dist/ from a clean folder.
FROM node:20 AS pack
WORKDIR /src
# Dependencies first, so a change of the sources does not reinstall them. The Temporal binaries
# are not needed to build; `npm install` rather than `npm ci`, as in .ci/run.
COPY package.json package-lock.json ./
COPY tools/install-temporal.mjs tools/
RUN PLAYLOOP_SKIP_TEMPORAL_INSTALL=1 npm install --no-audit --no-fund
COPY . .
RUN mkdir /pack && npm pack --pack-destination /pack

# 2. Run: the tarball installed globally, as a user without privileges.
FROM node:20-slim
# The worker against a cluster needs no Temporal CLI, so the postinstall does not fetch it (only
# `playloop dev` would use it). PLAYLOOP_API_HOST: the API must listen beyond the container's
# loopback to be reached through a published port; put TLS in front of it.
ENV PLAYLOOP_SKIP_TEMPORAL_INSTALL=1 \
    PLAYLOOP_DATA_DIR=/data \
    PLAYLOOP_API_PORT=8080 \
    PLAYLOOP_API_HOST=0.0.0.0
COPY --from=pack /pack/ /tmp/pack/
RUN npm install --global --no-audit --no-fund /tmp/pack/playloop-*.tgz \
  && rm -rf /tmp/pack /root/.npm \
  && mkdir -p /data /app \
  && chown node:node /data /app
USER node
# Playbooks: mount them at /app/playbooks (or set PLAYLOOP_PLAYBOOKS); without them the worker runs
# the sample playbooks bundled with the package.
WORKDIR /app
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["playloop"]
CMD ["worker"]
