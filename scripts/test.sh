#!/usr/bin/env bash
# The test command (README, CI): builds what the tests need, type-checks, runs every suite against
# real servers, and ends with one line `tests: N passed, N failed`. Exit status non-zero on any failure.
#   bash scripts/test.sh              every suite
#   bash scripts/test.sh orders auth  only those
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
results="$root/.jetmart/test-results"
rm -rf "$results" && mkdir -p "$results"

all_suites=(common auth products search orders payments expiration ops shipping notifications infra e2e client)
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=("${all_suites[@]}")

failed_steps=()
step() { # name, command...
  local name=$1; shift
  echo "==> $name"
  if ! "$@"; then failed_steps+=("$name"); echo "!!! $name failed"; fi
}

step "install test servers" bash scripts/ensure-bins.sh
[ -f scripts/ensure-tools.sh ] && step "install check tools" bash scripts/ensure-tools.sh
[ -d node_modules ] || step "npm ci" npm ci --no-audit --no-fund
step "build" npm run build --silent
step "typecheck" npm run typecheck --silent
# Lint (ESLint + Prettier's check): the whole repository, or only the folders of the suites asked for.
if [ $# -eq 0 ]; then
  step "lint" npm run lint --silent
else
  step "lint" bash -c 'npx eslint --max-warnings 0 "$@" && npx prettier --check "$@"' lint "${suites[@]}"
fi

# Decide the MongoDB-wire server once: MONGO_URL, else mongodb-memory-server if it can get a
# mongod, else the project's FerretDB build (this machine: no mongod can be downloaded).
if [ -z "${MONGO_URL:-}" ] && [ -z "${JETMART_MONGO:-}" ]; then
  if timeout 120 node -e "require('mongodb-memory-server').MongoMemoryServer.create().then(m=>m.stop()).then(()=>process.exit(0),()=>process.exit(1))" >/dev/null 2>&1; then
    export JETMART_MONGO=memory-server
  else
    export JETMART_MONGO=ferretdb
  fi
  echo "==> MongoDB-wire server for tests: $JETMART_MONGO"
fi
export NODE_ENV=test

for s in "${suites[@]}"; do
  [ -f "$s/jest.config.js" ] || continue
  echo "==> tests: $s"
  # e2e and client files each start the whole platform (every service, NATS, the database, Mailpit,
  # the storefront): two at once on a 2-core machine starve each other's start-up, so one at a time.
  workers=2
  case "$s" in e2e | client) workers=1 ;; esac
  (cd "$s" && npx jest --ci --maxWorkers=$workers --json --outputFile="$results/$s.json" 2> >(tee "$results/$s.log" >&2))
  rc=$?
  if [ $rc -ne 0 ]; then failed_steps+=("tests:$s"); fi
  if [ ! -s "$results/$s.json" ]; then failed_steps+=("tests:$s (no results)"); fi
done

counts=$(node -e '
const fs = require("fs"), path = require("path");
let passed = 0, failed = 0;
for (const f of fs.readdirSync(process.argv[1]).filter((f) => f.endsWith(".json"))) {
  const r = JSON.parse(fs.readFileSync(path.join(process.argv[1], f), "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests;
  // A suite that failed to run (syntax error, crash in setup) has no failed tests but is a failure.
  failed += r.testResults.filter((t) => t.status === "failed" && t.assertionResults.length === 0).length;
}
console.log(passed + " " + failed);
' "$results")
read -r passed failed <<<"$counts"
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "failed steps: ${failed_steps[*]}"
  [ "$failed" -eq 0 ] && failed=${#failed_steps[@]}
fi
echo "tests: $passed passed, $failed failed"
[ ${#failed_steps[@]} -eq 0 ] && [ "$failed" -eq 0 ]
