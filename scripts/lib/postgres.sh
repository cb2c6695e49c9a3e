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

# The template every FerretDB database is created from (common/src/testing/servers.ts); a new
# version of its SQL below gets a new name, so an old one is never used by mistake.
template=jetmart_ferretdb_template_v1

# Already done (the role can log in and the template is there): nothing to do, and no superuser needed.
if [ "$(PGPASSWORD=jetmart-dev psql -X -q -w -h 127.0.0.1 -U jetmart -d postgres -Atc \
  "select count(*) from pg_database where datname = '$template'" 2>/dev/null)" = 1 ]; then
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

# FerretDB 1.24 pushes an equality filter down as `(_jsonb -> 'field') @> '<value>'` (containment,
# which also matches an array holding the value, as MongoDB does). The btree index it creates for
# each declared index, `_jsonb -> 'field'`, cannot serve `@>`, so every query, `_id` look-ups
# included, is a sequential scan of the table (docs/BENCHMARKS.md: 67 ms per look-up at 100,000
# documents, 0.04 ms with the index below). A GIN index on the same expression serves `@>`. This
# event trigger adds one beside every btree index FerretDB creates on `_jsonb -> 'field'` (its
# leading field), in the databases cloned from this template. It lives in a template of our own
# so that no other database on the server gets it. Creating an event trigger needs the superuser.
echo "jetmart: creating the PostgreSQL template $template for FerretDB's databases ..." >&2
as_superuser <<SQL || skip "could not act as PostgreSQL's superuser to create the template $template"
SET client_min_messages = warning;
SELECT 'CREATE DATABASE $template' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$template') \gexec
\c $template
SET client_min_messages = warning;
CREATE OR REPLACE FUNCTION jetmart_ferretdb_gin_beside_btree() RETURNS event_trigger LANGUAGE plpgsql AS \$fn\$
DECLARE
  cmd record;
  tbl oid;
  expr text;
BEGIN
  FOR cmd IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE INDEX' AND object_type = 'index' LOOP
    -- Only FerretDB's btree indexes: the GIN index created below fires this trigger too.
    CONTINUE WHEN (SELECT a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.oid = cmd.objid) <> 'btree';
    expr := pg_get_indexdef(cmd.objid, 1, false);
    CONTINUE WHEN expr !~ '^\(+_jsonb -> ''[^'']+''::text\)+\$';
    tbl := (SELECT indrelid FROM pg_index WHERE indexrelid = cmd.objid);
    -- Two compound indexes led by the same field need one GIN index.
    CONTINUE WHEN EXISTS (
      SELECT FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
      WHERE i.indrelid = tbl AND a.amname = 'gin' AND pg_get_indexdef(i.indexrelid, 1, false) LIKE expr || '%');
    EXECUTE format('CREATE INDEX %I ON %s USING gin (%s jsonb_path_ops)',
      left((SELECT relname FROM pg_class WHERE oid = cmd.objid), 59) || '_gin', tbl::regclass, expr);
  END LOOP;
END
\$fn\$;
DROP EVENT TRIGGER IF EXISTS jetmart_ferretdb_gin_beside_btree;
CREATE EVENT TRIGGER jetmart_ferretdb_gin_beside_btree ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION jetmart_ferretdb_gin_beside_btree();
\c postgres
-- A template: the jetmart role (CREATEDB, not its owner) may clone it.
ALTER DATABASE $template IS_TEMPLATE true;
SQL
