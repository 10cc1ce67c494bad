#!/bin/bash
# The websocket frontend's keepalive (idle-timeout, here 2 s) under exo run:
# tests/websocket/idle.mjs. Dead clients (no pong, or a frozen socket) are closed within the
# timeout with a log line; a live client stays. A bad idle-timeout is refused by name.
FRONTEND_EXTRA='    idle-timeout: 2s'
. "$EXO_TOP_SRCDIR/tests/websocket/ws-lib.sh"
make_ws_app
start_app
node_test idle.mjs "$PORT" 2
expect_line "$RUN_OUT" "web \| .*closed client 127\.0\.0\.1:[0-9]+: silent for [0-9]+ s, no answer to a ping \(idle-timeout 2 s\)"
stop_app
pass "idle-timeout"
# A timeout lws cannot keep (under 2 s: it pings at half of it) is refused, naming the key.
sed -i "s|^    idle-timeout: .*|    idle-timeout: 1s|" "$app/application.yml"
"$EXO_BIN" run --app "$app" > "$T/bad.out" 2>&1 &
pid=$!
wait_exit "$pid" 60
[ "$RC" = 1 ] || { cat "$T/bad.out" >&2; fail "exo run with idle-timeout: 1s exited $RC"; }
expect_line "$T/bad.out" "frontends\.web\.idle-timeout: give seconds from 2 to 65535 \(such as 40s or 2m\), or 0"
pass "idle-timeout: 1s refused"
