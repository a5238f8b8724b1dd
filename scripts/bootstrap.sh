#!/usr/bin/env bash
# Create .venv (the virtualenv Pulumi.yaml names) and install a requirements file into it.
# pip re-resolves every pin on each run (10-25 s); when neither the interpreter nor any file the
# requirements pull in changed since the last install, that run is skipped.
# Usage: scripts/bootstrap.sh [requirements.txt|requirements-dev.txt]
set -euo pipefail
cd "$(dirname "$0")/.."
requirements="${1:-requirements.txt}"
[ -x .venv/bin/python ] || python3 -m venv .venv
# inputs FILE: FILE and every requirements file it includes with -r, relative to the including file.
inputs() {
  echo "$1"
  sed -n 's/^-r[[:space:]]*//p' "$1" | while read -r included; do inputs "$(dirname "$1")/$included"; done
}
stamp=".venv/.installed-$(echo "$requirements" | tr '/' '_')"
digest="$( (.venv/bin/python --version; inputs "$requirements" | xargs cat; cat pyproject.toml) | sha256sum | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
  echo "$digest" >"$stamp"
fi
