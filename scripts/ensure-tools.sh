#!/usr/bin/env bash
# Builds the pinned lint/validation tools that the infra checks (infra/tests) run, once per version,
# into the same cache as scripts/ensure-bins.sh (so fresh clones and CI start in seconds).
# Idempotent: when every binary is cached this only does a few `test -x` and exits.
#   JETMART_BIN_DIR   where binaries live (default ~/.cache/jetmart/bin)
# Binaries: actionlint-<ver> (GitHub Actions workflows), kubeconform-<ver> (Kubernetes manifests).
# Also prints nothing but errors unless something has to be built.
set -euo pipefail

ACTIONLINT_VERSION=v1.7.12
KUBECONFORM_VERSION=v0.8.0

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

if [ "${1:-}" = "--print-env" ]; then
  # For callers (infra/tests) that want the exact paths.
  echo "ACTIONLINT=$actionlint_bin"
  echo "KUBECONFORM=$kubeconform_bin"
fi
