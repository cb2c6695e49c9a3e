# syntax=docker/dockerfile:1
# The backup image: natscli (stream backups, pinned like scripts/versions.env) and the same
# scripts/backup.js / scripts/restore.js operators run locally (scripts/lib/backups.js), with the NATS client and
# MongoDB driver at the version of the workspace lock. Used by the chart's backup CronJob and for
# a restore Job (docs/RELIABILITY.md). Build context: the repository root:
#   docker build -f infra/docker/backup.Dockerfile -t jetmart/backup .

FROM golang:1.26-bookworm AS natscli
RUN GOBIN=/out go install github.com/nats-io/natscli/nats@v0.5.0

FROM node:20.20.2-bookworm-slim AS runtime
WORKDIR /app
RUN npm init -y >/dev/null && npm install --omit=dev --no-audit --no-fund mongodb@7.8.0 @nats-io/transport-node@3.4.0 @nats-io/jetstream@3.4.0 && npm cache clean --force
COPY --from=natscli /out/nats /usr/local/bin/nats
COPY scripts/versions.env scripts/
COPY scripts/backup.js scripts/restore.js scripts/
COPY scripts/lib/backups.js scripts/lib/
ENV NATSCLI_BIN=/usr/local/bin/nats
USER node
ENTRYPOINT ["node"]
CMD ["scripts/backup.js"]
