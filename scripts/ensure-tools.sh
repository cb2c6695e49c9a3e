#!/usr/bin/env bash
# Builds the pinned lint/validation tools that the infra checks (infra/tests) run, once per version,
# into the same cache as scripts/ensure-bins.sh (so fresh clones and CI start in seconds).
# Idempotent: when every binary is cached this only does a few `test -x` and exits.
#   JETMART_BIN_DIR   where binaries live (default ~/.cache/jetmart/bin)
# Binaries: actionlint-<ver> (GitHub Actions workflows), kubeconform-<ver> (Kubernetes manifests),
# and k8s-schemas-<k8s ver>-g<gen>/: the Kubernetes JSON schemas kubeconform validates against, made by
# infra/tools/k8s-schemas.mjs from the OpenAPI document of the k8s.io/kubernetes Go module (fetched
# once through the Go module proxy; nothing is downloaded while validating).
# Prints nothing but errors unless something has to be built. --print-env prints the paths.
set -euo pipefail

ACTIONLINT_VERSION=v1.7.12
KUBECONFORM_VERSION=v0.8.0
K8S_VERSION=v1.36.0   # Kubernetes API version the manifests are validated against
K8S_SCHEMA_GEN=1      # bump when infra/tools/k8s-schemas.mjs changes its output
SKAFFOLD_VERSION=v2.16.1      # source of the skaffold.yaml JSON schema
SKAFFOLD_SCHEMA=v4beta13      # apiVersion skaffold/<this> in skaffold.yaml

bin_dir=${JETMART_BIN_DIR:-$HOME/.cache/jetmart/bin}
mkdir -p "$bin_dir"

build() { # build <name> <module path>@<version> <output file>
  local name=$1 pkg=$2 out=$3
  if ! command -v go >/dev/null 2>&1; then
    echo "jetmart: Go (1.22+) is needed to build $name. Install Go and run again." >&2
    exit 1
  fi
  echo "jetmart: building $name (once) ..." >&2
  local tmp
  tmp=$(mktemp -d)
  # CGO off: static binaries that keep working if the machine's libc changes.
  CGO_ENABLED=0 GOBIN="$tmp" go install -trimpath "$pkg"
  mv "$tmp/$(basename "${pkg%@*}")" "$out.tmp" && mv "$out.tmp" "$out"
  rm -rf "$tmp"
}

actionlint_bin="$bin_dir/actionlint-$ACTIONLINT_VERSION"
[ -x "$actionlint_bin" ] ||
  build "actionlint $ACTIONLINT_VERSION" "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" "$actionlint_bin"

kubeconform_bin="$bin_dir/kubeconform-$KUBECONFORM_VERSION"
[ -x "$kubeconform_bin" ] ||
  build "kubeconform $KUBECONFORM_VERSION" "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" "$kubeconform_bin"

here=$(cd "$(dirname "$0")" && pwd)
schema_dir="$bin_dir/k8s-schemas-$K8S_VERSION-g$K8S_SCHEMA_GEN"
if [ ! -f "$schema_dir/.complete" ]; then
  command -v go >/dev/null 2>&1 || { echo "jetmart: Go is needed to fetch the Kubernetes $K8S_VERSION API schema." >&2; exit 1; }
  echo "jetmart: generating Kubernetes $K8S_VERSION JSON schemas (once) ..." >&2
  k8s_dir=$(cd "${TMPDIR:-/tmp}" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(j.Error){console.error(j.Error);process.exit(1)}console.log(j.Dir)})')
  rm -rf "$schema_dir.tmp"
  node "$here/../infra/tools/k8s-schemas.mjs" "$k8s_dir/api/openapi-spec/swagger.json" "$schema_dir.tmp"
  touch "$schema_dir.tmp/.complete"
  rm -rf "$schema_dir" && mv "$schema_dir.tmp" "$schema_dir"
fi

# skaffold.yaml's JSON schema, from the skaffold Go module's docs, named so that kubeconform finds it
# for `apiVersion: skaffold/$SKAFFOLD_SCHEMA, kind: Config`.
skaffold_dir="$bin_dir/skaffold-schema-$SKAFFOLD_VERSION"
skaffold_schema="$skaffold_dir/config-skaffold-$SKAFFOLD_SCHEMA.json"
if [ ! -f "$skaffold_schema" ]; then
  command -v go >/dev/null 2>&1 || { echo "jetmart: Go is needed to fetch the skaffold schema." >&2; exit 1; }
  echo "jetmart: fetching the skaffold $SKAFFOLD_VERSION schema (once) ..." >&2
  sk_dir=$(cd "${TMPDIR:-/tmp}" && go mod download -json "github.com/GoogleContainerTools/skaffold/v2@$SKAFFOLD_VERSION" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(j.Error){console.error(j.Error);process.exit(1)}console.log(j.Dir)})')
  mkdir -p "$skaffold_dir"
  cp "$sk_dir/docs-v2/content/en/schemas/$SKAFFOLD_SCHEMA.json" "$skaffold_schema.tmp" && mv "$skaffold_schema.tmp" "$skaffold_schema"
fi

if [ "${1:-}" = "--print-env" ]; then
  # For callers (infra/tests) that want the exact paths.
  echo "ACTIONLINT=$actionlint_bin"
  echo "KUBECONFORM=$kubeconform_bin"
  echo "K8S_SCHEMA_DIR=$schema_dir"
  echo "K8S_VERSION=$K8S_VERSION"
  echo "SKAFFOLD_SCHEMA_DIR=$skaffold_dir"
fi
