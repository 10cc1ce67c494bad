#!/bin/bash
# exo.js, as the websocket frontend serves it, in node against the real frontend under exo
# run (tests/websocket/exojs.mjs): requests and their errors, pushes, the offline queue's
# bound, the reconnection backoff, and reconnection after the frontend process is killed
# (exo run restarts it on the same port).
. "$EXO_TOP_SRCDIR/tests/websocket/ws-lib.sh"
make_ws_app
start_app
FE=$(frontend_pid)
[ -n "$FE" ] || fail "no exo frontend process"
node_test exojs.mjs "$PORT" "$FE"
stop_app
pass "exo.js against the real frontend"
