#!/usr/bin/env bash
# Create .venv (the virtualenv Pulumi.yaml names) and install a requirements file into it.
# Usage: scripts/bootstrap.sh [requirements.txt|requirements-dev.txt]
set -euo pipefail
cd "$(dirname "$0")/.."
requirements="${1:-requirements.txt}"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
