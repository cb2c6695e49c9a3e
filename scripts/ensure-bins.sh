#!/usr/bin/env bash
# Builds the real servers jetmart's tests and local platform run, once per version, into a cache
# outside the clone (so fresh clones and CI start in seconds). Prints nothing but errors unless asked.
#   JETMART_BIN_DIR   where binaries live (default ~/.cache/jetmart/bin)
# Binaries: nats-server-<ver> (pinned, same as CI and Kubernetes), jetmart-ferretdb-<ver>, stripe-mock-<ver>,
# mailpit-<ver>, gofakes3-<ver>.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/versions.env"
bin_dir=${JETMART_BIN_DIR:-$HOME/.cache/jetmart/bin}
mkdir -p "$bin_dir"

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    echo "jetmart: Go (1.22+) is needed to build $1. Install Go, or set $2 to a running server." >&2
    exit 1
  fi
}

nats_bin="$bin_dir/nats-server-$NATS_SERVER_VERSION"
if [ ! -x "$nats_bin" ]; then
  need_go "nats-server $NATS_SERVER_VERSION" NATS_URL
  echo "jetmart: building nats-server $NATS_SERVER_VERSION (once) ..." >&2
  tmp=$(mktemp -d)
  GOBIN="$tmp" go install "github.com/nats-io/nats-server/v2@$NATS_SERVER_VERSION"
  mv "$tmp/nats-server" "$nats_bin"
  rm -rf "$tmp"
fi

ferret_bin="$bin_dir/jetmart-ferretdb-$FERRETDB_VERSION"
if [ "${JETMART_SKIP_FERRETDB:-}" != "1" ] && [ ! -x "$ferret_bin" ]; then
  need_go "FerretDB $FERRETDB_VERSION" MONGO_URL
  echo "jetmart: building FerretDB $FERRETDB_VERSION (once) ..." >&2
  (cd "$here/ferretdb" && go build -trimpath -o "$ferret_bin.tmp" . && mv "$ferret_bin.tmp" "$ferret_bin")
fi

# stripe-mock: the payments tests run the Stripe gateway against it (STRIPE_MOCK_BIN overrides).
stripe_mock_bin="$bin_dir/stripe-mock-$STRIPE_MOCK_VERSION"
if [ "${JETMART_SKIP_STRIPE_MOCK:-}" != "1" ] && [ ! -x "$stripe_mock_bin" ]; then
  need_go "stripe-mock $STRIPE_MOCK_VERSION" STRIPE_MOCK_BIN
  echo "jetmart: building stripe-mock $STRIPE_MOCK_VERSION (once) ..." >&2
  tmp=$(mktemp -d)
  GOBIN="$tmp" go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION"
  mv "$tmp/stripe-mock" "$stripe_mock_bin"
  rm -rf "$tmp"
fi

# mailpit: the SMTP server (with an HTTP API to read what was delivered) behind the notifications
# tests and `npm start`'s mail (MAILPIT_BIN overrides).
mailpit_bin="$bin_dir/mailpit-$MAILPIT_VERSION"
if [ "${JETMART_SKIP_MAILPIT:-}" != "1" ] && [ -z "${MAILPIT_BIN:-}" ] && [ ! -x "$mailpit_bin" ]; then
  need_go "mailpit $MAILPIT_VERSION" MAILPIT_BIN
  echo "jetmart: building mailpit $MAILPIT_VERSION (once) ..." >&2
  tmp=$(mktemp -d)
  GOBIN="$tmp" go install "github.com/axllent/mailpit@$MAILPIT_VERSION"
  mv "$tmp/mailpit" "$mailpit_bin"
  rm -rf "$tmp"
fi
# natscli: stream backups and restores (scripts/backup.js, scripts/restore.js, the Kubernetes backup
# CronJob) and operators' inspection of the cluster (NATSCLI_BIN overrides).
natscli_bin="$bin_dir/nats-$NATSCLI_VERSION"
if [ "${JETMART_SKIP_NATSCLI:-}" != "1" ] && [ -z "${NATSCLI_BIN:-}" ] && [ ! -x "$natscli_bin" ]; then
  need_go "natscli $NATSCLI_VERSION" NATSCLI_BIN
  echo "jetmart: building natscli $NATSCLI_VERSION (once) ..." >&2
  tmp=$(mktemp -d)
  GOBIN="$tmp" go install "github.com/nats-io/natscli/nats@$NATSCLI_VERSION"
  mv "$tmp/nats" "$natscli_bin"
  rm -rf "$tmp"
fi
# gofakes3: an S3-compatible server speaking the S3 REST protocol over HTTP (in-memory backend),
# against which products' S3 image store is tested (GOFAKES3_BIN overrides). Not MinIO: it is a
# test double of the wire protocol, not a production object store.
gofakes3_bin="$bin_dir/gofakes3-$GOFAKES3_VERSION"
if [ "${JETMART_SKIP_GOFAKES3:-}" != "1" ] && [ -z "${GOFAKES3_BIN:-}" ] && [ ! -x "$gofakes3_bin" ]; then
  need_go "gofakes3 $GOFAKES3_VERSION" GOFAKES3_BIN
  echo "jetmart: building gofakes3 $GOFAKES3_VERSION (once) ..." >&2
  tmp=$(mktemp -d)
  GOBIN="$tmp" go install "github.com/johannesboyne/gofakes3/cmd/gofakes3@$GOFAKES3_VERSION"
  mv "$tmp/gofakes3" "$gofakes3_bin"
  rm -rf "$tmp"
fi
# PostgreSQL role for FerretDB's postgresql backend (JETMART_FERRETDB_BACKEND=postgresql): dev-only
# credentials, see scripts/lib/postgres.sh; a no-op without a local PostgreSQL unless that backend is asked for.
bash "$here/lib/postgres.sh"
