#!/usr/bin/env bash
# Run the test suite in-process under Pulumi's mocks: no Pulumi CLI, Auth0 tenant or cluster needed.
# Extra arguments go to pytest (e.g. scripts/test.sh -k service_account).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
