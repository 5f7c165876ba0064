#!/usr/bin/env bash
# Set up, then grade the embedded demo class (examples/submitted/) into gradebook.db.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
for aid in $(cd solutions && ls -d */ | tr -d /); do
  if ls examples/submitted/*/"$aid" >/dev/null 2>&1; then
    autograder grade "$aid" --submissions examples/submitted --no-progress "$@"
  fi
done
