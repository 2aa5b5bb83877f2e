#!/usr/bin/env bash
# The test suite in two passes (arguments go to both):
#   1. SQLite: everything, the browser tests included;
#   2. PostgreSQL (a throwaway cluster the fixtures start and remove): `--database postgres -m db`,
#      the tests whose database the selection decides (`database_url`, `module_database_url`), on
#      PostgreSQL this time; browser tests left out (the dashboard's reads on PostgreSQL are
#      covered by the AppTest runs). The other tests would test nothing new: they open no store,
#      or they already ran on the backends they name (`store_url` runs both in pass 1).
# OSSIMPACT_TEST_PASSES=sqlite|postgres picks one pass (default: both). Both passes run even if
# the first fails; the result is the worse of the two. "No tests collected" (pytest's exit 5) is a
# failure when the whole suite is run.
set -uo pipefail
passes="${OSSIMPACT_TEST_PASSES:-sqlite postgres}"
status=0
summary=()

run_pass() {
  local name="$1"
  shift
  local started=$SECONDS
  echo "=== pytest pass: $name ==="
  .venv/bin/pytest "$@"
  local rc=$?
  if [ "$rc" -eq 5 ] && [ "$ARGS" -eq 0 ]; then
    echo "pytest collected no tests in the $name pass: failing" >&2
    rc=1
  elif [ "$rc" -eq 5 ]; then
    rc=0  # a selection of files with no test for this pass
  fi
  summary+=("$name: exit $rc in $((SECONDS - started)) s")
  [ "$rc" -eq 0 ] || status=1
}

ARGS=$#
for pass in $passes; do
  case "$pass" in
    sqlite) run_pass sqlite --database sqlite "$@" ;;
    postgres) run_pass postgres --database postgres -m "db and not browser" "$@" ;;
    *)
      echo "OSSIMPACT_TEST_PASSES: unknown pass '$pass' (sqlite or postgres)" >&2
      exit 2
      ;;
  esac
done
printf '%s\n' "${summary[@]}"
exit "$status"
