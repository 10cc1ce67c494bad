#!/bin/bash
# The websocket frontend's wire protocol exo.v1 under exo run, against a real Python service
# and the real broker: tests/websocket/protocol.mjs (welcome, request/reply, errors, malformed
# and oversized frames, pushes, replies only to the asker, upgrade checks, /exo.js, static).
. "$EXO_TOP_SRCDIR/tests/websocket/ws-lib.sh"
make_ws_app
start_app
node_test protocol.mjs "$PORT"
# The refusals were logged under the frontend's name, naming the reason.
expect_line "$RUN_OUT" "web \| .*refused a WebSocket from 127\.0\.0\.1:[0-9]+: Origin http://evil\.example is not allowed"
expect_line "$RUN_OUT" "closing client 127\.0\.0\.1:[0-9]+: a message over 66560 bytes"
stop_app
pass "exo.v1 under exo run"
