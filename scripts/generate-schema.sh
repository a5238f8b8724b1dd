#!/usr/bin/env bash
# Regenerate provider/schema.json, the checked-in public interface of the components.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh requirements.txt
.venv/bin/python -c 'import json; from pomerium_auth0.provider_host import package_schema; print(json.dumps(package_schema(), indent=2, sort_keys=True))' > provider/schema.json
echo "wrote provider/schema.json"
