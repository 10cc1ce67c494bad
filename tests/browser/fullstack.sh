#!/bin/bash
# The fullstack template in a real browser, on the process backend: exo create app shop
# --template fullstack, exo setup, exo run; then headless chromium (fullstack.mjs) loads the
# printed URL, adds items, watches a second page update live, gets visible errors for a
# refused item and a denied message, and survives the frontend unit being killed and
# restarted by exo (exo.js reconnects). Screenshots: tests/browser/artifacts/fullstack-*.png.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/browser/setup.sh"
. "$EXO_TOP_SRCDIR/tests/browser/app-lib.sh"
fullstack_require
export EXO_BROWSER_ARTIFACTS="$EXO_TOP_BUILDDIR/tests/browser/artifacts"
mkdir -p "$EXO_BROWSER_ARTIFACTS"
rm -f "$EXO_BROWSER_ARTIFACTS"/fullstack-*.png

fullstack_create shop
"$EXO_BIN" run </dev/null >"$T/run.out" 2>&1 &
run_pid=$!
fullstack_browse fullstack "$T/run.out" "$run_pid"

kill -INT "$run_pid"
wait_exit "$run_pid" 60
[ "$RC" = 0 ] || { cat "$T/run.out"; fail "exo run exited $RC"; }
pass "the fullstack app works in chromium on the process backend"
