#!/usr/bin/env bash
# Runs the whole suite; "no tests collected" (pytest's exit code 5) is a failure, not a pass.
set -uo pipefail
.venv/bin/pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$rc"
