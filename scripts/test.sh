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
# .ci/run has just built everything (scripts/setup.sh ends with the build): it says so with
# JETMART_BUILT=1 rather than have the same tsc and next build run twice.
if [ "${JETMART_BUILT:-}" = 1 ]; then echo "==> build: done by setup"; else step "build" npm run build --silent; fi

# Type-check and lint read sources only (never a dist): both at once, each printed whole when done.
checks="$results/checks" && mkdir -p "$checks"
(npm run typecheck --silent >"$checks/typecheck.log" 2>&1; echo $? >"$checks/typecheck.rc") &
# Lint (ESLint + Prettier's check): the whole repository, or only the folders of the suites asked for.
if [ $# -eq 0 ]; then
  (npm run lint --silent >"$checks/lint.log" 2>&1; echo $? >"$checks/lint.rc") &
else
  (bash -c 'npx eslint --max-warnings 0 "$@" && npx prettier --check "$@"' lint "${suites[@]}" >"$checks/lint.log" 2>&1
    echo $? >"$checks/lint.rc") &
fi
wait
for name in typecheck lint; do
  echo "==> $name"
  cat "$checks/$name.log"
  if [ "$(cat "$checks/$name.rc")" != 0 ]; then failed_steps+=("$name"); echo "!!! $name failed"; fi
done

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

# Two lanes at once: the platform suites (e2e, then client) and the service suites one after
# another. The platform files spend much of their time waiting (timers, browsers, readiness), which
# the service suites fill; e2e and client never overlap: each file starts the whole platform (every
# service, NATS, the database, Mailpit, the storefront), and two start-ups at once on 2 cores starve
# each other, so their files also run one at a time. JETMART_TEST_LANES=1 runs every suite in turn.
run_suite() { # suite, workers: jest's report to $results/<suite>.json, its output to <suite>.log
  local s=$1 workers=$2
  echo "==> tests: $s (started)"
  (cd "$s" && npx jest --ci --maxWorkers="$workers" --json --outputFile="$results/$s.json" >"$results/$s.out" 2>"$results/$s.log")
  echo $? >"$results/$s.rc"
  echo "==> tests: $s"
  cat "$results/$s.out" "$results/$s.log"
}
platform_lane=() service_lane=()
for s in "${suites[@]}"; do
  [ -f "$s/jest.config.js" ] || continue
  case "$s" in e2e | client) platform_lane+=("$s") ;; *) service_lane+=("$s") ;; esac
done
# Output of a suite is printed whole when it ends (two lanes would interleave it line by line).
lane() { local workers=$1 s; shift; for s in "$@"; do run_suite "$s" "$workers"; done; }
if [ "${JETMART_TEST_LANES:-2}" = 1 ]; then
  lane 1 "${platform_lane[@]}"
  lane 2 "${service_lane[@]}"
else
  # The service suites get one worker each: the second core is the platform lane's.
  lane 1 "${platform_lane[@]}" &
  lane 1 "${service_lane[@]}" &
  wait
fi
for s in "${platform_lane[@]}" "${service_lane[@]}"; do
  if [ "$(cat "$results/$s.rc" 2>/dev/null)" != 0 ]; then failed_steps+=("tests:$s"); fi
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
