#!/usr/bin/env bash
# A local Auth0-compatible tenant and a loopback Kubernetes cluster, for real `pulumi up` runs offline.
#   scripts/sandbox.sh start [--bootstrap-scopes "<scopes>"] [--faults "<spec>"] [--rate-limit "<spec>"]
#                            [--action-builds "<spec>"]   builds the engine if needed; then (docs/sandbox.md):
#       --faults "429=0.2,503=0.1,500=0.05,slow=0.05,seed=7,slow_ms=1500"   seeded errors and slow answers
#       --rate-limit "rps=2,burst=10" (or "tier=free")   Auth0's Management API token bucket in front
#       --action-builds "build_ms=3000,retrying=0.5,failed=0.1,seed=7"     Action build time (default 300 ms),
#                                                 shares that pass through `retrying` or end `failed`
#   scripts/sandbox.sh run pulumi destroy --stack sandbox --yes                    any command, sandbox environment
#   eval "$(scripts/sandbox.sh env)"                                               the same environment in your shell
#   scripts/sandbox.sh stop                                                        leaves nothing running
# scripts/up.sh sandbox does start (when needed), `pulumi up` and a summary in one command.
set -euo pipefail
cd "$(dirname "$0")/.."
command="${1:?usage: scripts/sandbox.sh start|run|env|status|stop [options]}"
shift
case "$command" in
  start)
    scripts/bootstrap.sh requirements-dev.txt
    engine="$(scripts/engine.sh | tail -n 1)"
    exec .venv/bin/python -m sandbox start --engine "$engine" "$@"
    ;;
  run | env | status | stop)
    exec .venv/bin/python -m sandbox "$command" "$@"
    ;;
  *)
    echo "usage: scripts/sandbox.sh start|run|env|status|stop [options]" >&2
    exit 2
    ;;
esac
