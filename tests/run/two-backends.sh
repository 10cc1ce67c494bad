#!/bin/bash
# A session with units on two backends (here the "journal" fixture and process; in real apps
# docker for the services and process for a frontend): the second backend found must not
# move the first, which the nodes point at. Before the fix, `exo run --backend docker` with a
# frontend crashed at start; valgrind sees the stale read on every such session, so
# `exo env` under valgrind (one session, nothing started) checks it deterministically.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
export EXO_PLUGIN_PATH=$EXO_PLUGIN_PATH:$EXO_TOP_BUILDDIR/tests/run/fixtures/.libs
command -v valgrind >/dev/null || {
  [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "valgrind is not installed"
  echo "skip: valgrind is not installed"; exit 77; }
A=$T/app
mkdir -p "$A"
cat > "$A/application.yml" <<'YML'
name: two-backends
backend: journal
services:
  first:
    location: ./first
  second:
    location: ./second
    backend: process
YML
service "$A/first" "startup:
  command: sleep 100"
service "$A/second" "startup:
  command: sleep 100"
for role in first second; do
  valgrind -q --error-exitcode=99 "$EXO_BIN" env --app "$A" "$role" >"$T/env.$role" 2>"$T/vg.$role"
  rc=$?
  [ "$rc" = 0 ] || { cat "$T/vg.$role"; fail "exo env $role on two backends exited $rc"; }
  expect_line "$T/env.$role" "^EXO_ROLE=$role "
done
pass "a session with units on two backends"
