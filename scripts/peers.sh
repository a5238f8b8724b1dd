#!/usr/bin/env bash
# Build, or reuse, the peers that benchmarks/peers.py measures beside our components: the OpenTofu
# CLI, terraform-provider-auth0 (the version engine/auth0 bridges) and terraform-provider-kubernetes,
# from the Go module proxy only. Each comes from a wrapper module under benchmarks/peers/<dir>
# (not engine/: the engine's cache keys stay put) and is cached outside the clone, keyed by that
# module's files and the Go version. The providers land in a filesystem mirror, so `tofu init`
# never asks a registry. Benchmark only: CI does not build or run this.
# Progress goes to stderr; the last line on stdout is the cache directory, holding bin/tofu and mirror/.
# Usage: scripts/peers.sh            (cache: $POMERIUM_AUTH0_PEERS_CACHE or ~/.cache/pomerium-auth0/peers)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
peers="$root/benchmarks/peers"
# shellcheck source=../benchmarks/peers/versions.env
source "$peers/versions.env"

# shellcheck source=go-cache.sh
source "$root/scripts/go-cache.sh"
cache="${POMERIUM_AUTH0_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pomerium-auth0/peers}"
go_cache_open peers "$cache"

key() { (go version; cd "$peers/$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16; }

# name DIR: the binary a wrapper module builds, and its version.
COMPONENTS=(cli auth0 kubernetes)
declare -A package=(
  [cli]=github.com/opentofu/opentofu/cmd/tofu
  [auth0]=github.com/auth0/terraform-provider-auth0
  [kubernetes]=github.com/hashicorp/terraform-provider-kubernetes
)
declare -A version=([cli]=$OPENTOFU_VERSION [auth0]=$AUTH0_TF_PROVIDER_VERSION [kubernetes]=$KUBERNETES_TF_PROVIDER_VERSION)
# Cold build seconds on 2 shared cores with a warm module cache (measured, nice 10, all three in parallel).
declare -A estimate=([cli]=420 [auth0]=300 [kubernetes]=360)
# Where each binary goes: the CLI in bin/, a provider where a filesystem mirror expects it.
target() {
  case "$1" in
    cli) echo "bin/tofu" ;;
    auth0) echo "mirror/registry.opentofu.org/auth0/auth0/${version[auth0]}/linux_amd64/terraform-provider-auth0_v${version[auth0]}" ;;
    kubernetes) echo "mirror/registry.opentofu.org/hashicorp/kubernetes/${version[kubernetes]}/linux_amd64/terraform-provider-kubernetes_v${version[kubernetes]}" ;;
  esac
}

# build_peer MODULE_DIR OUT PACKAGE
build_peer() { go -C "$1" mod download && nice -n 10 go -C "$1" build -trimpath -ldflags "-s -w" -o "$2" "$3"; }

left=0 combined=""
declare -A keys
for dir in "${COMPONENTS[@]}"; do
  keys[$dir]="$(key "$dir")"
  combined="$combined${keys[$dir]}"
  [ -f "$cache/$dir-${keys[$dir]}/complete" ] || left=$((left + estimate[$dir]))
done
out="$cache/set-$(echo "$combined" | sha256sum | cut -c1-16)"
[ "$left" -eq 0 ] || log "peers: building what is not cached, ~$(((left + 59) / 60)) min on 2 cores"

step=0
for dir in "${COMPONENTS[@]}"; do
  step=$((step + 1))
  built="$cache/$dir-${keys[$dir]}"
  if [ -f "$built/complete" ]; then
    log "[$step/${#COMPONENTS[@]}] $dir: cached (${package[$dir]} v${version[$dir]})"
  else
    log "[$step/${#COMPONENTS[@]}] $dir: building ${package[$dir]} v${version[$dir]}, ~$(((estimate[$dir] + 59) / 60)) min of ~$(((left + 59) / 60)) min left"
    rm -rf "$built" && mkdir -p "$built"
    building "$dir" build_peer "$peers/$dir" "$built/binary" "${package[$dir]}"
    touch "$built/complete"
    left=$((left - estimate[$dir]))
  fi
  mkdir -p "$(dirname "$out/$(target "$dir")")"
  ln -sf "$built/binary" "$out/$(target "$dir")"
done
log "done: $out"
echo "$out"
