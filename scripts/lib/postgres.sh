#!/usr/bin/env bash
# The local PostgreSQL role FerretDB's postgresql backend runs on (JETMART_FERRETDB_BACKEND=postgresql,
# common/src/testing/servers.ts). Idempotent; called by scripts/ensure-bins.sh.
#
# DEV-ONLY CREDENTIALS: role `jetmart`, password `jetmart-dev`, allowed to create databases and
# nothing else (not a superuser). They protect nothing: they exist so that each FerretDB server of a
# test run or of `npm start` can create (and drop) its own database on a developer's or CI's local
# PostgreSQL. Never use them on a shared or reachable server. JETMART_POSTGRES_URL points the
# servers at another role/server instead (then this script is not needed).
#
# Needs a running local PostgreSQL and a way to act as its superuser: root (runuser -u postgres),
# passwordless sudo, or a server that trusts `postgres` on 127.0.0.1. Without them it says what is
# missing; that is an error only when JETMART_FERRETDB_BACKEND=postgresql asks for this backend.
set -euo pipefail

required=0
[ "${JETMART_FERRETDB_BACKEND:-}" = "postgresql" ] && [ -z "${JETMART_POSTGRES_URL:-}" ] && required=1
[ -n "${JETMART_POSTGRES_URL:-}" ] && exit 0

skip() {
  if [ $required = 1 ]; then
    echo "jetmart: JETMART_FERRETDB_BACKEND=postgresql, but $1" >&2
    exit 1
  fi
  [ -n "${JETMART_VERBOSE:-}" ] && echo "jetmart: FerretDB's postgresql backend not set up: $1 (the sqlite backend needs none)" >&2
  exit 0
}

command -v psql >/dev/null 2>&1 || skip "psql is not installed (apt-get install postgresql)"
pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || skip "no PostgreSQL answers on 127.0.0.1:5432"

# Already done (the role can log in): nothing to do, and no superuser needed.
if PGPASSWORD=jetmart-dev psql -X -q -w -h 127.0.0.1 -U jetmart -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  exit 0
fi

as_superuser() {
  if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null 2>&1; then
    runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n -u postgres true 2>/dev/null; then
    sudo -n -u postgres psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"
  else
    psql -X -q -w -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d postgres "$@"
  fi
}

echo "jetmart: creating the dev-only PostgreSQL role jetmart (CREATEDB) for FerretDB's postgresql backend ..." >&2
as_superuser <<'SQL' || skip "could not act as PostgreSQL's superuser to create the role jetmart"
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'jetmart') THEN
    CREATE ROLE jetmart LOGIN CREATEDB PASSWORD 'jetmart-dev';
  ELSE
    ALTER ROLE jetmart LOGIN CREATEDB PASSWORD 'jetmart-dev';
  END IF;
END
$$;
SQL
