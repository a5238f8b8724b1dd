#!/usr/bin/env bash
# Sign in to a stack deployed to the sandbox the way Pomerium does, and print the verified ID token's
# claims and the groups a claim/<groupsClaimName> policy would match (after scripts/up.sh <stack>).
#   scripts/login.sh sandbox                          the first seeded user (alice@example.com)
#   scripts/login.sh sandbox bob@example.com --full   everything: userinfo, refresh, requests, timings
# Exits non-zero with Auth0's error (or go-oidc's) when the login fails, e.g. for a wrong --password.
set -euo pipefail
cd "$(dirname "$0")/.."
engine="$(scripts/engine.sh | tail -n 1)"
exec .venv/bin/python -m sandbox.relying_party --engine "$engine" "$@"
