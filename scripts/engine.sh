#!/usr/bin/env bash
# Build, or reuse, the real Pulumi engine from Go modules: the pulumi CLI, the YAML language host,
# the auth0, random and kubernetes resource plugins, a loopback Kubernetes control plane (etcd,
# kube-apiserver, kube-controller-manager), the Node.js SDK generator (engine/nodesdk) and the
# relying party that signs in to Auth0 the way Pomerium does (engine/relyingparty). Each
# component is cached outside the clone, keyed by its engine/<dir>, engine/versions.env and the Go
# version, so a second run takes seconds and a change rebuilds only what it touches.
# Progress goes to stderr; the last line on stdout is the bin directory.
# Usage: scripts/engine.sh            (cache: $POMERIUM_AUTH0_ENGINE_CACHE or ~/.cache/pomerium-auth0/engine)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=../engine/versions.env
source "$root/engine/versions.env"

# shellcheck source=go-cache.sh
source "$root/scripts/go-cache.sh"
cache="${POMERIUM_AUTH0_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pomerium-auth0/engine}"
go_cache_open engine "$cache"

# key DIR: what a component's binaries depend on.
key() {
  (go version; cat "$root/engine/versions.env"; cd "$root/engine/$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum) |
    sha256sum | cut -c1-16
}

# go_build OUT NAME MODULE_DIR PACKAGE LDFLAGS: build one binary into OUT.
go_build() {
  local out="$1" name="$2" dir="$3" pkg="$4" ldflags="$5"
  log "$name: go build $pkg"
  building "$name" go -C "$dir" build -trimpath -tags osusergo,grpcnotrace -ldflags "-s -w $ldflags" -o "$out/$name" "$pkg"
}

# component DIR BUILDER: run BUILDER OUT WORK once per key; its binaries land in OUT.
component() {
  local dir="$1" builder="$2" out
  out="$cache/$dir-${keys[$dir]}"
  step=$((step + 1))
  if [ -f "$out/complete" ]; then
    log "[$step/${#COMPONENTS[@]}] $dir: cached"
  else
    log "[$step/${#COMPONENTS[@]}] $dir: building $(what "$dir"), ~$(minutes "${estimate[$dir]}") of ~$(minutes "$left") left on 2 cores"
    rm -rf "$out"
    mkdir -p "$out/bin"
    # A work copy of engine/<dir>, where generated files (schemas) are written.
    cp -r "$root/engine/$dir" "$out/work"
    (cd "$out/work" && go mod download) || { log "$dir: go mod download failed"; exit 1; }
    "$builder" "$out/bin" "$out/work"
    rm -rf "$out/work"
    touch "$out/complete"
    left=$((left - estimate[$dir]))
  fi
  ln -sf "$out"/bin/* "$bin/"
}

build_cli() {
  go_build "$1" pulumi "$2" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
  # Pulumi's published project schema, from the SDK module the CLI is built with.
  install -m 644 "$(cd "$2" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)/go/common/workspace/project.json" \
    "$1/pulumi-project-schema.json"
}

build_yaml() {
  go_build "$1" pulumi-language-yaml "$2" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml \
    "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$YAML_VERSION"
}

# The Kubernetes provider's schema and Terraform mapping are generated upstream (git-ignored), so
# they are produced here from the checked-in JSON in the module, with the version set.
build_kubernetes() {
  local upstream
  upstream="$(cd "$2" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)/cmd/pulumi-resource-kubernetes"
  python3 - "$upstream" "$2" "$KUBERNETES_PROVIDER_VERSION" <<'EOF'
import json, pathlib, sys
upstream, target, version = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
schema = json.loads((upstream / "schema.json").read_text())
schema["version"] = version
(target / "schema-embed.json").write_text(json.dumps(schema, separators=(",", ":")))
mapping = json.loads((upstream / "terraform-mapping.json").read_text())
(target / "terraform-mapping-embed.json").write_text(json.dumps(mapping, separators=(",", ":")))
EOF
  go_build "$1" pulumi-resource-kubernetes "$2" . \
    "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$KUBERNETES_PROVIDER_VERSION"
}

# Bridged providers: build the schema generator, generate the Pulumi schema, embed it.
bridged() {
  local name="$1" version="$2" out="$3" work="$4"
  local stamp="-X pomerium-auth0.local/engine/$name.Version=$version"
  go_build "$work" "pulumi-tfgen-$name" "$work" "./cmd/pulumi-tfgen-$name" "$stamp"
  log "pulumi-resource-$name: generating its Pulumi schema"
  (cd "$work" && "./pulumi-tfgen-$name" schema --out "$work/schema-out" >"$work/tfgen.log" 2>&1) || {
    tail -20 "$work/tfgen.log" >&2
    exit 1
  }
  cp "$work/schema-out/schema.json" "$work/cmd/pulumi-resource-$name/schema.json"
  go_build "$out" "pulumi-resource-$name" "$work" "./cmd/pulumi-resource-$name" "$stamp"
}
build_auth0() { bridged auth0 "$AUTH0_PROVIDER_VERSION" "$1" "$2"; }
build_random() { bridged random "$RANDOM_PROVIDER_VERSION" "$1" "$2"; }

build_kube() {
  local v="k8s.io/component-base/version" minor="${KUBERNETES_VERSION#*.}"
  local stamp="-X $v.gitVersion=v$KUBERNETES_VERSION -X $v.gitMajor=${KUBERNETES_VERSION%%.*}"
  stamp="$stamp -X $v.gitMinor=${minor%%.*} -X $v.gitTreeState=clean"
  go_build "$1" kube-apiserver "$2" k8s.io/kubernetes/cmd/kube-apiserver "$stamp"
  go_build "$1" kube-controller-manager "$2" k8s.io/kubernetes/cmd/kube-controller-manager "$stamp"
}

build_etcd() { go_build "$1" etcd "$2" . ""; }

# Our own tool: the Node.js SDK generator of pkg/v3, without pulumi-language-nodejs (not served).
build_nodesdk() { go_build "$1" pulumi-gen-nodejs-sdk "$2" . ""; }

# Our own tool: Pomerium's Auth0 login and v0.19 directory sync, with Pomerium's client libraries.
build_relyingparty() { go_build "$1" pomerium-auth0-login "$2" . ""; }

# The components in build order, with what each builds and its cold build time in seconds on 2
# cores with empty Go caches (measured; later components reuse the packages earlier ones compiled).
COMPONENTS=(cli yaml kubernetes auth0 random kube etcd nodesdk relyingparty)
declare -A estimate=([cli]=300 [yaml]=60 [kubernetes]=500 [auth0]=200 [random]=90 [kube]=300 [etcd]=40 [nodesdk]=20 [relyingparty]=20)
what() {
  case "$1" in
    cli) echo "pulumi" ;;
    yaml) echo "pulumi-language-yaml" ;;
    kube) echo "kube-apiserver, kube-controller-manager" ;;
    etcd) echo "etcd" ;;
    nodesdk) echo "pulumi-gen-nodejs-sdk" ;;
    relyingparty) echo "pomerium-auth0-login" ;;
    *) echo "pulumi-resource-$1" ;;
  esac
}
minutes() { echo "$((($1 + 59) / 60)) min"; }

# Each component's key, computed once: it names the cache entry, the bin directory and what is left.
declare -A keys
combined="" left=0 step=0
for dir in "${COMPONENTS[@]}"; do
  keys[$dir]="$(key "$dir")"
  combined="$combined${keys[$dir]}"
  [ -f "$cache/$dir-${keys[$dir]}/complete" ] || left=$((left + estimate[$dir]))
done
bin="$cache/bin-$(echo "$combined" | sha256sum | cut -c1-16)"
mkdir -p "$bin"
if [ "$left" -gt 0 ]; then
  log "engine: $(nproc) cores; building what is not cached, ~$(minutes "$left") on 2 cores (about 16 GB of Go caches when cold)"
fi
for dir in "${COMPONENTS[@]}"; do component "$dir" "build_$dir"; done
log "done: $bin"
echo "$bin"
