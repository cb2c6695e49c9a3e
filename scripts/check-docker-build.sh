#!/usr/bin/env bash
# Exercises the Dockerfiles without Docker (no engine on this machine or in CI's test run): replays
# every instruction of each image's Dockerfile in temp folders (infra/tools/docker-sim.mjs): the same
# `npm ci --workspace ...` and build commands, from a clean copy of the build context filtered by
# .dockerignore, then checks the runtime stage can load everything it needs from production deps.
# Which Dockerfile and build arguments an image uses is read from skaffold.yaml (the five services:
# infra/docker/service.Dockerfile with --build-arg SERVICE=<service>; the client: client/Dockerfile),
# so the replay builds exactly what skaffold and the deploy workflow build.
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
  # -f <dockerfile> and one --build-arg NAME=VALUE per build argument, one word a line
  # shellcheck disable=SC2016 # the single-quoted text is JavaScript
  if ! build_opts=$(node -e '
    const YAML = require("yaml");
    const a = YAML.parse(require("fs").readFileSync("skaffold.yaml", "utf8")).build.artifacts.find((x) => x.image === `jetmart/${process.argv[1]}`);
    if (!a) { console.error(`skaffold.yaml has no artifact jetmart/${process.argv[1]}`); process.exit(1); }
    const d = a.docker ?? {};
    const out = ["-f", d.dockerfile ?? "Dockerfile"];
    for (const [k, v] of Object.entries(d.buildArgs ?? {})) out.push("--build-arg", `${k}=${v}`);
    console.log(out.join("\n"));
  ' "$ws"); then
    failed+=("$ws")
    continue
  fi
  mapfile -t opts <<<"$build_opts"
  node infra/tools/docker-sim.mjs "$ws" "${opts[@]}" || failed+=("$ws")
done
passed=$(( ${#targets[@]} - ${#failed[@]} ))
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
echo "docker builds: $passed passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
