#!/bin/bash
# Issue 12: hostile WebSocket clients against the websocket frontend under exo run
# (tests/websocket/hostile.mjs): 1,000 concurrent connections each answered with its own
# reply, the connection bound (max-connections), broken frames, a bad Origin, a client that
# never reads (dropped with a log line, others answered meanwhile), and the frontend's RSS
# bounded throughout; the frontend process is the same one at the end (it never crashed).
FRONTEND_EXTRA='    max-connections: 1010'
. "$EXO_TOP_SRCDIR/tests/websocket/ws-lib.sh"
( trap 'kill $sp 2>/dev/null; exit 0' TERM; sleep 150 & sp=$!; wait $sp || exit 0
  echo "FAIL: over 150 s" >&2; kill -TERM $$ ) &
watchdog=$!
# 1,000 sockets in one node process, and as many in the frontend (which raises its own).
ulimit -n "$(ulimit -Hn)" 2>/dev/null
[ "$(ulimit -n)" -ge 2200 ] || skip_fds=1
if [ -n "${skip_fds:-}" ]; then
  [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "required: ulimit -n of at least 2200 (hard limit $(ulimit -Hn))"
  echo "SKIP: ulimit -n is $(ulimit -n)"; exit 77
fi
make_ws_app
start_app
FE=$(frontend_pid)
[ -n "$FE" ] || fail "no exo frontend process"
bound=64
[ -n "${EXO_SANITIZE_FLAGS:-}" ] && bound=100000 # RSS is ASan's there (see hostile-lib.sh)
RUN_OUT=$RUN_OUT WS_RSS_BOUND_MB=$bound node_test hostile.mjs "$PORT" "$FE" 1010
expect_line "$RUN_OUT" "web \| .*dropping client 127\.0\.0\.1:[0-9]+: it does not read its messages"
expect_line "$RUN_OUT" "refused a WebSocket from 127\.0\.0\.1:[0-9]+: 1010 connections are open \(frontends\.web\.max-connections\)"
[ "$(frontend_pid)" = "$FE" ] || fail "the frontend process changed (it crashed and was restarted): $(cat "$RUN_OUT")"
expect_no_line "$RUN_OUT" "web (exited|crashed|failed)"
stop_app
kill "$watchdog" 2>/dev/null
pass "hostile WebSocket clients"
