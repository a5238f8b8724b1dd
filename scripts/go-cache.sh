# Shared by scripts/engine.sh and scripts/peers.sh, which build Go binaries from the module proxy into
# a cache outside the clone: the Go settings, progress lines, one build per cache at a time, and a
# heartbeat while a build is silent. Source it, then call go_cache_open.
# shellcheck shell=bash

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly
go_cache_started=$SECONDS
go_cache_label=build

log() { printf '[%s %4ds] %s\n' "$go_cache_label" $((SECONDS - go_cache_started)) "$*" >&2; }

# go_cache_open LABEL DIR: prefix progress lines with LABEL; create DIR and hold its lock, so a second
# caller waits, then reuses what the first one built.
go_cache_open() {
  go_cache_label="$1"
  mkdir -p "$2"
  exec 9>"$2/.lock"
  if ! flock -n 9; then
    log "another $1 build is running; waiting for it"
    flock 9
  fi
}

# A Go build prints nothing for minutes: say every 30 s that it is still going.
heartbeat() {
  local what="$1" since=$SECONDS
  while sleep 30; do log "  ... still building $what ($((SECONDS - since)) s)"; done
}

# building NAME COMMAND...: run COMMAND with a heartbeat, log how long it took, exit on failure.
building() {
  local name="$1" t0=$SECONDS beat
  shift
  heartbeat "$name" &
  beat=$!
  if ! "$@"; then
    kill "$beat"
    log "$name: build failed"
    exit 1
  fi
  kill "$beat"
  log "$name: built in $((SECONDS - t0)) s"
}
