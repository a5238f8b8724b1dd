#!/usr/bin/env bash
# Deploy one stack with a local state backend (no Pulumi Cloud account): scripts/up.sh dev
# Needs the Pulumi CLI, Auth0 bootstrap credentials in the stack's config and a kubeconfig.
set -euo pipefail
cd "$(dirname "$0")/.."
stack="${1:?usage: scripts/up.sh <stack: dev|staging|prod>}"
shift
if ! command -v pulumi >/dev/null 2>&1; then
  echo "The Pulumi CLI is not installed: https://www.pulumi.com/docs/install/" >&2
  exit 1
fi
scripts/bootstrap.sh requirements.txt
pulumi login --local
pulumi stack select --create "$stack"
exec pulumi up --stack "$stack" "$@"
