#!/usr/bin/env bash
# Build, or reuse, the real Pulumi engine from Go modules: the pulumi CLI, the auth0, random and
# kubernetes resource plugins, and a loopback Kubernetes control plane (etcd, kube-apiserver,
# kube-controller-manager). Binaries are cached outside the clone, keyed by every file in engine/
# and the Go version, so a second run takes seconds.
# Progress goes to stderr; the last line on stdout is the bin directory.
# Usage: scripts/engine.sh            (cache: $POMERIUM_AUTH0_ENGINE_CACHE or ~/.cache/pomerium-auth0/engine)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=../engine/versions.env
source "$root/engine/versions.env"

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly
cache="${POMERIUM_AUTH0_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pomerium-auth0/engine}"
key="$( (go version; cd "$root/engine" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16)"
out="$cache/$key"
bin="$out/bin"
work="$out/work"
started=$SECONDS

log() { printf '[engine %4ds] %s\n' $((SECONDS - started)) "$*" >&2; }

mkdir -p "$cache"
# One build at a time per cache: a second caller waits, then reuses what the first one built.
exec 9>"$cache/.lock"
if ! flock -n 9; then
  log "another engine build is running; waiting for it"
  flock 9
fi
if [ -f "$out/complete" ]; then
  log "reusing $bin"
  echo "$bin"
  exit 0
fi
mkdir -p "$bin" "$work"
log "building into $out ($(nproc) cores; a cold build takes 40-70 minutes, later runs seconds)"

# A Go build prints nothing for minutes: say every 30 s that it is still going.
heartbeat() {
  local what="$1" since=$SECONDS
  while sleep 30; do log "  ... still building $what ($((SECONDS - since)) s)"; done
}

# go_build NAME MODULE_DIR PACKAGE LDFLAGS: build one binary into $bin unless it is already there.
go_build() {
  local name="$1" dir="$2" pkg="$3" ldflags="$4"
  if [ -x "$bin/$name" ]; then
    log "$name: cached"
    return
  fi
  log "$name: go build $pkg"
  heartbeat "$name" &
  local beat=$!
  local t0=$SECONDS
  (cd "$dir" && go build -trimpath -tags osusergo,grpcnotrace -ldflags "-s -w $ldflags" -o "$bin/$name.tmp" "$pkg") || {
    kill "$beat"
    log "$name: build failed"
    exit 1
  }
  kill "$beat"
  mv "$bin/$name.tmp" "$bin/$name"
  log "$name: built in $((SECONDS - t0)) s"
}

# Each engine/<module> is copied to a work directory, where generated files (schemas) are written.
stage() {
  rm -rf "${work:?}/$1"
  cp -r "$root/engine/$1" "$work/$1"
  echo "$work/$1"
}

log "downloading modules (Go proxy)"
for module in cli kubernetes auth0 random kube etcd; do
  (cd "$root/engine/$module" && go mod download) || { log "go mod download failed in engine/$module"; exit 1; }
done

# 1. The CLI.
go_build pulumi "$root/engine/cli" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
  "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"

# 2. The Kubernetes provider: its schema and Terraform mapping are generated (git-ignored upstream),
#    so they are produced here from the checked-in JSON in the module, with the version set.
if [ ! -x "$bin/pulumi-resource-kubernetes" ]; then
  dir="$(stage kubernetes)"
  upstream="$(cd "$dir" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)/cmd/pulumi-resource-kubernetes"
  python3 - "$upstream" "$dir" "$KUBERNETES_PROVIDER_VERSION" <<'EOF'
import json, pathlib, sys
upstream, target, version = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
schema = json.loads((upstream / "schema.json").read_text())
schema["version"] = version
(target / "schema-embed.json").write_text(json.dumps(schema, separators=(",", ":")))
mapping = json.loads((upstream / "terraform-mapping.json").read_text())
(target / "terraform-mapping-embed.json").write_text(json.dumps(mapping, separators=(",", ":")))
EOF
  go_build pulumi-resource-kubernetes "$dir" . \
    "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$KUBERNETES_PROVIDER_VERSION"
fi

# 3. Bridged providers: build the schema generator, generate the Pulumi schema, embed it.
bridged() {
  local name="$1" version="$2"
  if [ -x "$bin/pulumi-resource-$name" ]; then
    log "pulumi-resource-$name: cached"
    return
  fi
  local dir
  dir="$(stage "$name")"
  local stamp="-X pomerium-auth0.local/engine/$name.Version=$version"
  go_build "pulumi-tfgen-$name" "$dir" "./cmd/pulumi-tfgen-$name" "$stamp"
  log "pulumi-resource-$name: generating its Pulumi schema"
  (cd "$dir" && "$bin/pulumi-tfgen-$name" schema --out "$dir/schema-out" >"$dir/tfgen.log" 2>&1) || {
    tail -20 "$dir/tfgen.log" >&2
    exit 1
  }
  cp "$dir/schema-out/schema.json" "$dir/cmd/pulumi-resource-$name/schema.json"
  go_build "pulumi-resource-$name" "$dir" "./cmd/pulumi-resource-$name" "$stamp"
  rm -f "$bin/pulumi-tfgen-$name"
}
bridged auth0 "$AUTH0_PROVIDER_VERSION"
bridged random "$RANDOM_PROVIDER_VERSION"

# 4. The control plane.
k8s_version="k8s.io/component-base/version"
k8s_stamp="-X $k8s_version.gitVersion=v$KUBERNETES_VERSION -X $k8s_version.gitMajor=${KUBERNETES_VERSION%%.*}"
k8s_minor="${KUBERNETES_VERSION#*.}"
k8s_stamp="$k8s_stamp -X $k8s_version.gitMinor=${k8s_minor%%.*} -X $k8s_version.gitTreeState=clean"
go_build kube-apiserver "$root/engine/kube" k8s.io/kubernetes/cmd/kube-apiserver "$k8s_stamp"
go_build kube-controller-manager "$root/engine/kube" k8s.io/kubernetes/cmd/kube-controller-manager "$k8s_stamp"
go_build etcd "$root/engine/etcd" . ""

# Pulumi's published project schema, from the SDK module the CLI was built with.
mkdir -p "$out/share"
cp "$(cd "$root/engine/cli" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)/go/common/workspace/project.json" \
  "$out/share/pulumi-project-schema.json"
chmod 644 "$out/share/pulumi-project-schema.json"

rm -rf "$work"
touch "$out/complete"
log "done: $(du -sh "$bin" | cut -f1) in $bin"
echo "$bin"
