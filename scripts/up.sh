#!/usr/bin/env bash
# Deploy one stack: scripts/up.sh dev  (extra arguments go to `pulumi up`)
# scripts/up.sh sandbox with no AUTH0_DOMAIN set does it all on the local sandbox (scripts/sandbox.sh):
# engine, tenant and cluster, `pulumi up`, and a summary read back from the tenant and the cluster.
# Needs the Pulumi CLI, Auth0 bootstrap credentials and a kubeconfig (or the sandbox: scripts/sandbox.sh).
# Uses whatever backend you are logged in to, or $PULUMI_BACKEND_URL; it never changes your login.
set -euo pipefail
cd "$(dirname "$0")/.."
stack="${1:?usage: scripts/up.sh <stack: dev|staging|prod|sandbox>}"
shift
if [ "$stack" = sandbox ] && [ -z "${AUTH0_DOMAIN:-}" ]; then
  # No tenant configured: build or reuse the engine, start (or reuse) the local sandbox, then `up` and a
  # summary with the sandbox's environment for this command only; the caller's shell and Pulumi login
  # stay as they were.
  scripts/bootstrap.sh requirements-dev.txt
  scripts/sandbox.sh status || scripts/sandbox.sh start
  exec scripts/sandbox.sh run .venv/bin/python -m sandbox.deploy --stack sandbox "$@"
fi
if ! command -v pulumi >/dev/null 2>&1; then
  echo "The Pulumi CLI is not installed: https://www.pulumi.com/docs/install/ (or run scripts/sandbox.sh)" >&2
  exit 1
fi
if [ -z "${PULUMI_BACKEND_URL:-}" ] && ! pulumi whoami >/dev/null 2>&1; then
  echo "No Pulumi backend: run 'pulumi login' (e.g. 'pulumi login --local'), or set PULUMI_BACKEND_URL for this command." >&2
  exit 1
fi
scripts/bootstrap.sh requirements.txt
if command -v pulumi-language-python >/dev/null 2>&1; then
  pulumi stack select --create "$stack"
  exec pulumi up --stack "$stack" "$@"
fi
# An engine built from Go modules (scripts/engine.sh) has no Python language host: host the program
# in-process through the Automation API; the real CLI, engine and providers still do the work.
exec .venv/bin/python -m sandbox.program up --stack "$stack" "$@"
