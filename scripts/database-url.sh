#!/usr/bin/env bash
# Print the database URL to use: $DATABASE_URL if set, else the project-local
# cluster (started, and created on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -n ${DATABASE_URL:-} ]]; then
  echo "$DATABASE_URL"
else
  python3 scripts/pgcluster.py ensure >&2
  python3 scripts/pgcluster.py url
fi
