#!/usr/bin/env bash
# Install what the service needs and is missing: Debian packages (as root),
# the virtualenv from the pip lock file, and the front-end packages from the
# npm lock file. Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting postgresql-client-15 pgbackrest
  gdal-bin chromium nodejs npm python3-venv libpango-1.0-0 libpangoft2-1.0-0 nginx
)
PYTHON=${PYTHON:-python3}
VENV=.venv
STAMP=.local/stamps
mkdir -p "$STAMP"

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# The Python 3.11 venv module may come from python3-venv or a non-Debian Python.
if [[ " ${missing[*]} " == *" python3-venv "* ]] && "$PYTHON" -c "import ensurepip" 2>/dev/null; then
  missing=("${missing[@]/python3-venv}")
fi
if [[ " ${missing[*]} " == *" nodejs "* || " ${missing[*]} " == *" npm "* ]] && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<< "${missing[*]}"
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]]; then
    echo "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them as root:  sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Python 3.11 or newer is needed ($PYTHON is $("$PYTHON" --version))" >&2
  exit 1
fi
if [[ ! -x $VENV/bin/python ]]; then
  echo "Creating virtualenv in $VENV"
  "$PYTHON" -m venv "$VENV"
fi
lock_sum=$(sha256sum requirements.lock pyproject.toml | sha256sum | cut -c1-16)
if [[ ! -f $STAMP/pip-$lock_sum ]]; then
  echo "Installing Python packages from requirements.lock"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q --require-hashes -r requirements.lock
  "$VENV/bin/pip" install -q --no-deps -e .
  rm -f "$STAMP"/pip-*; touch "$STAMP/pip-$lock_sum"
fi
if [[ -f frontend/package-lock.json ]]; then
  npm_sum=$(sha256sum frontend/package-lock.json | cut -c1-16)
  if [[ ! -f $STAMP/npm-$npm_sum || ! -d frontend/node_modules ]]; then
    echo "Installing front-end packages from frontend/package-lock.json"
    (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
    rm -f "$STAMP"/npm-*; touch "$STAMP/npm-$npm_sum"
  fi
fi
