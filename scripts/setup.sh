#!/usr/bin/env bash
# Set up the kit on a fresh machine: bubblewrap (the sandbox) and a virtual environment in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v bwrap >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
  else
    echo "WARNING: bubblewrap is missing (Debian/Ubuntu: sudo apt-get install bubblewrap);" \
         "grading will run with rlimits only." >&2
  fi
fi
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
