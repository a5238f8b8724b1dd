#!/usr/bin/env bash
# The real-engine suite: the real pulumi CLI and providers (built by scripts/engine.sh) against a local
# Auth0-compatible tenant and a loopback Kubernetes cluster, one sandbox for the session.
# Extra arguments go to pytest: options alone run the whole suite with them (scripts/e2e.sh -k destroy);
# test paths run only those (scripts/e2e.sh e2e/test_login.py -k refresh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh requirements-dev.txt
engine="$(scripts/engine.sh | tail -n 1)"
export POMERIUM_AUTH0_ENGINE_BIN="$engine"
export PULUMI_PROJECT_SCHEMA="$engine/pulumi-project-schema.json"
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_SKIP_UPDATE_CHECK=true
targets=(e2e tests/project/test_project_files.py)
for argument in "$@"; do
  case "$argument" in
    e2e/* | tests/*) targets=() ;;
  esac
done
# The slowest tests, so a CI log shows where the real-engine suite spends its time.
exec .venv/bin/python -m pytest --durations=15 "${targets[@]}" "$@"
