#!/usr/bin/env bash
# One-time set-up of a fresh clone: npm packages (from the lock file), the real servers jetmart runs
# on (pinned nats-server, FerretDB when no mongod is available), and a build of every package.
#   bash scripts/setup.sh              for running the platform (npm start)
#   bash scripts/setup.sh --for-tests  also the test-only tools (Chromium for browser tests, linters)
set -euo pipefail
cd "$(dirname "$0")/.."
for_tests=0
[ "${1:-}" = "--for-tests" ] && for_tests=1

command -v node >/dev/null || { echo "jetmart: Node.js 20.19+ is required" >&2; exit 1; }
# Exactly the locked versions, for every platform: the lock lists each OS's optional binaries
# (infra/tests/package-lock.test.ts checks it), so `npm ci` is the one install path.
npm ci --no-audit --no-fund
bash scripts/ensure-bins.sh
if [ $for_tests = 1 ]; then
  [ -f scripts/ensure-tools.sh ] && bash scripts/ensure-tools.sh
  if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "jetmart: installing Debian chromium for browser tests ..." >&2
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
      echo "jetmart: browser tests need Chromium at /usr/bin/chromium (apt-get install chromium)" >&2
    fi
  fi
fi
npm run build --silent
