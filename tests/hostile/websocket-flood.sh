#!/bin/bash
# Issue 12: a service floods the websocket frontend with large messages (600 x 500 KB, bus
# max-message-size 1 MiB) for a client that does not read (tests/websocket/flood.mjs). The
# frontend's peak RSS stays under 80 MiB: its per-client queue (queue-bytes) drops the client,
# and its bus client holds at most 64 messages not yet read (the broker keeps the rest within
# its queue-bytes), where ZeroMQ's default let 10,000 of them pile up whatever their size.
FRONTEND_EXTRA=''
. "$EXO_TOP_SRCDIR/tests/websocket/ws-lib.sh"
( trap 'kill $sp 2>/dev/null; exit 0' TERM; sleep 170 & sp=$!; wait $sp || exit 0
  echo "FAIL: over 170 s" >&2; kill -TERM $$ ) &
watchdog=$!
make_ws_app
start_app
FE=$(frontend_pid)
[ -n "$FE" ] || fail "no exo frontend process"
bound=40
[ -n "${EXO_SANITIZE_FLAGS:-}" ] && bound=100000 # RSS is ASan's there (see hostile-lib.sh)
RUN_OUT=$RUN_OUT WS_RSS_BOUND_MB=$bound node_test flood.mjs "$PORT" "$FE" 2000 500000
expect_line "$RUN_OUT" "web \| .*dropping client 127\.0\.0\.1:[0-9]+: it does not read its messages"
[ "$(frontend_pid)" = "$FE" ] || fail "the frontend process changed (it crashed and was restarted)"
stop_app
kill "$watchdog" 2>/dev/null
pass "the frontend's memory under a flood of large messages"
