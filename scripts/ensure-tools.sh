#!/usr/bin/env bash
# Builds the pinned lint/validation tools that the infra checks (infra/tests) run, once per version,
# into the same cache as scripts/ensure-bins.sh (so fresh clones and CI start in seconds).
# Idempotent: when everything is cached this only tests a few paths and exits (milliseconds).
#   JETMART_BIN_DIR         where they live (default ~/.cache/jetmart/bin)
#   JETMART_SKIP_SKAFFOLD=1 do not build the skaffold binary (the slow one)
# What it makes:
#   actionlint-<ver>                 lints .github/workflows
#   kubeconform-<ver>                validates Kubernetes manifests (and skaffold.yaml) against JSON schemas
#   k8s-schemas-<k8s ver>-g<gen>/    the Kubernetes JSON schemas, made by infra/tools/k8s-schemas.mjs from
#                                    the OpenAPI document in the k8s.io/kubernetes Go module
#   skaffold-schema-<ver>/           skaffold.yaml's JSON schema, from the skaffold Go module
#   skaffold-<ver>                   the skaffold binary (skaffold diagnose / render --offline)
#   helm-<ver>                       helm (helm lint / helm template of charts/jetmart)
#   promql-eval-<hash>               Prometheus' PromQL engine over given samples (infra/tools/promql-eval), which
#                                    evaluates the chart's alert rules in ops/src/__tests__/alert-rules.test.ts
#   crd-schemas-g<gen>-.../          JSON schemas of the custom resources the chart renders (MongoDBCommunity,
#                                    PrometheusRule, ServiceMonitor), made by infra/tools/crd-schemas.mjs
#                                    from the CRDs in the operators' Go modules
# Everything comes through the Go module proxy; nothing is downloaded while the checks run.
# Prints nothing but errors unless something has to be built. --print-env prints the paths.
set -euo pipefail

ACTIONLINT_VERSION=v1.7.12
KUBECONFORM_VERSION=v0.8.0
K8S_VERSION=v1.36.0         # Kubernetes API version the manifests are validated against
K8S_SCHEMA_GEN=1            # bump when infra/tools/k8s-schemas.mjs changes its output
SKAFFOLD_VERSION=v2.16.1    # skaffold whose schema and binary check skaffold.yaml
SKAFFOLD_SCHEMA=v4beta13    # apiVersion skaffold/<this> in skaffold.yaml
HELM_VERSION=v4.3.2         # helm that lints and renders charts/jetmart
MONGODB_OPERATOR_VERSION=v0.9.0      # github.com/mongodb/mongodb-kubernetes-operator: the MongoDBCommunity CRD
PROMETHEUS_OPERATOR_VERSION=v0.85.0  # github.com/prometheus-operator/prometheus-operator: PrometheusRule, ServiceMonitor CRDs
CRD_SCHEMA_GEN=1            # bump when infra/tools/crd-schemas.mjs changes its output

here=$(cd "$(dirname "$0")" && pwd)
bin_dir=${JETMART_BIN_DIR:-$HOME/.cache/jetmart/bin}
mkdir -p "$bin_dir"

need_go() {
  command -v go >/dev/null 2>&1 || { echo "jetmart: Go (1.25+) is needed for $1. Install Go and run again." >&2; exit 1; }
}

# mod_dir <module>@<version>: downloads a Go module (source) into the module cache, prints its folder.
mod_dir() {
  (cd "${TMPDIR:-/tmp}" && GOFLAGS= go mod download -json "$1") |
    node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const j=JSON.parse(s);if(j.Error||!j.Dir){console.error(j.Error||"no Dir");process.exit(1)}console.log(j.Dir)})'
}

install_go_tool() { # <name> <package>@<version> <output file>
  need_go "$1"
  echo "jetmart: building $1 (once) ..." >&2
  local tmp
  tmp=$(mktemp -d)
  CGO_ENABLED=0 GOBIN="$tmp" go install -trimpath "$2"
  local pkg=${2%@*}
  mv "$tmp/${pkg##*/}" "$3.tmp" && mv "$3.tmp" "$3"
  rm -rf "$tmp"
}

actionlint_bin="$bin_dir/actionlint-$ACTIONLINT_VERSION"
[ -x "$actionlint_bin" ] ||
  install_go_tool "actionlint $ACTIONLINT_VERSION" "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" "$actionlint_bin"

kubeconform_bin="$bin_dir/kubeconform-$KUBECONFORM_VERSION"
[ -x "$kubeconform_bin" ] ||
  install_go_tool "kubeconform $KUBECONFORM_VERSION" "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" "$kubeconform_bin"

schema_dir="$bin_dir/k8s-schemas-$K8S_VERSION-g$K8S_SCHEMA_GEN"
if [ ! -f "$schema_dir/.complete" ]; then
  need_go "the Kubernetes $K8S_VERSION API schema"
  echo "jetmart: generating Kubernetes $K8S_VERSION JSON schemas (once) ..." >&2
  k8s_dir=$(mod_dir "k8s.io/kubernetes@$K8S_VERSION")
  rm -rf "$schema_dir.tmp"
  node "$here/../infra/tools/k8s-schemas.mjs" "$k8s_dir/api/openapi-spec/swagger.json" "$schema_dir.tmp"
  touch "$schema_dir.tmp/.complete"
  rm -rf "$schema_dir" && mv "$schema_dir.tmp" "$schema_dir"
fi

helm_bin="$bin_dir/helm-$HELM_VERSION"
[ -x "$helm_bin" ] ||
  install_go_tool "helm $HELM_VERSION" "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" "$helm_bin"

crd_schema_dir="$bin_dir/crd-schemas-g$CRD_SCHEMA_GEN-mdb$MONGODB_OPERATOR_VERSION-po$PROMETHEUS_OPERATOR_VERSION"
if [ ! -f "$crd_schema_dir/.complete" ]; then
  need_go "the CRD schemas"
  echo "jetmart: generating the CRD JSON schemas (once) ..." >&2
  mdb_dir=$(mod_dir "github.com/mongodb/mongodb-kubernetes-operator@$MONGODB_OPERATOR_VERSION")
  po_dir=$(mod_dir "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION")
  rm -rf "$crd_schema_dir.tmp"
  node "$here/../infra/tools/crd-schemas.mjs" "$crd_schema_dir.tmp" \
    "$mdb_dir/config/crd/bases/mongodbcommunity.mongodb.com_mongodbcommunity.yaml" \
    "$po_dir/example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml" \
    "$po_dir/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" \
    "$po_dir/example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml"
  touch "$crd_schema_dir.tmp/.complete"
  rm -rf "$crd_schema_dir" && mv "$crd_schema_dir.tmp" "$crd_schema_dir"
fi

# promql-eval: built from infra/tools/promql-eval (its go.mod pins github.com/prometheus/prometheus
# v0.316.0); named by a hash of its sources so an edit rebuilds it. Smaller than promtool (no service
# discovery), about a minute on 2 cores once the module cache is warm.
promql_src="$here/../infra/tools/promql-eval"
promql_hash=$(cat "$promql_src/main.go" "$promql_src/go.mod" "$promql_src/go.sum" | sha256sum | cut -c1-12)
promql_bin="$bin_dir/promql-eval-$promql_hash"
if [ ! -x "$promql_bin" ]; then
  need_go "promql-eval"
  echo "jetmart: building promql-eval (once) ..." >&2
  (cd "$promql_src" && CGO_ENABLED=0 go build -trimpath -o "$promql_bin.tmp" .)
  mv "$promql_bin.tmp" "$promql_bin"
fi

# Named so that kubeconform finds it for `apiVersion: skaffold/$SKAFFOLD_SCHEMA` + `kind: Config`.
skaffold_schema_dir="$bin_dir/skaffold-schema-$SKAFFOLD_VERSION"
skaffold_schema="$skaffold_schema_dir/config-skaffold-$SKAFFOLD_SCHEMA.json"
if [ ! -f "$skaffold_schema" ]; then
  need_go "the skaffold $SKAFFOLD_VERSION schema"
  echo "jetmart: fetching the skaffold $SKAFFOLD_VERSION schema (once) ..." >&2
  sk_dir=$(mod_dir "github.com/GoogleContainerTools/skaffold/v2@$SKAFFOLD_VERSION")
  mkdir -p "$skaffold_schema_dir"
  cp "$sk_dir/docs-v2/content/en/schemas/$SKAFFOLD_SCHEMA.json" "$skaffold_schema.tmp" && mv "$skaffold_schema.tmp" "$skaffold_schema"
fi

# skaffold's go.mod has replace directives, so `go install pkg@version` refuses it: it is built from
# the module source. Big (about 4 minutes on 2 cores, once). Not fatal: without it the infra tests
# still check skaffold.yaml against the schema and say that they skipped the binary checks.
skaffold_bin="$bin_dir/skaffold-$SKAFFOLD_VERSION"
if [ "${JETMART_SKIP_SKAFFOLD:-}" != "1" ] && [ ! -x "$skaffold_bin" ] && command -v go >/dev/null 2>&1; then
  echo "jetmart: building skaffold $SKAFFOLD_VERSION (once, a few minutes) ..." >&2
  if ! (
    set -e
    sk_dir=$(mod_dir "github.com/GoogleContainerTools/skaffold/v2@$SKAFFOLD_VERSION")
    src=$(mktemp -d)
    trap 'chmod -R u+w "$src"; rm -rf "$src"' EXIT
    cp -R "$sk_dir/." "$src/"
    chmod -R u+w "$src"
    cd "$src"
    CGO_ENABLED=0 go build -trimpath \
      -ldflags "-X github.com/GoogleContainerTools/skaffold/v2/pkg/skaffold/version.version=$SKAFFOLD_VERSION" \
      -o "$skaffold_bin.tmp" ./cmd/skaffold
    mv "$skaffold_bin.tmp" "$skaffold_bin"
  ) >"$bin_dir/skaffold-build.log" 2>&1; then
    echo "jetmart: warning: could not build skaffold (see $bin_dir/skaffold-build.log); skaffold.yaml is checked by schema only" >&2
  fi
fi

if [ "${1:-}" = "--print-env" ]; then
  echo "ACTIONLINT=$actionlint_bin"
  echo "KUBECONFORM=$kubeconform_bin"
  echo "K8S_SCHEMA_DIR=$schema_dir"
  echo "K8S_VERSION=$K8S_VERSION"
  echo "SKAFFOLD_SCHEMA_DIR=$skaffold_schema_dir"
  echo "SKAFFOLD=$skaffold_bin"
  echo "HELM=$helm_bin"
  echo "CRD_SCHEMA_DIR=$crd_schema_dir"
  echo "PROMQL_EVAL=$promql_bin"
fi
