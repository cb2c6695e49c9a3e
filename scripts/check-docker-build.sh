#!/usr/bin/env bash
# Exercises the Dockerfiles without Docker (no engine on this machine or in CI's test run): replays
# every instruction of <workspace>/Dockerfile in temp folders (infra/tools/docker-sim.mjs): the same
# `npm ci --workspace ...` and build commands, from a clean copy of the build context filtered by
# .dockerignore, then checks the runtime stage can load everything it needs from production deps.
# Slow (a few npm ci runs per image), so it is not part of scripts/test.sh.
#   bash scripts/check-docker-build.sh                 every image
#   bash scripts/check-docker-build.sh auth client     only those
set -uo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(auth products orders payments expiration client)
failed=()
for ws in "${targets[@]}"; do
  echo "==> docker build (simulated): $ws"
  node infra/tools/docker-sim.mjs "$ws" || failed+=("$ws")
done
passed=$(( ${#targets[@]} - ${#failed[@]} ))
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
echo "docker builds: $passed passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
