#!/bin/bash
# frontends.web.static may not be the app's directory or one above it: that would serve
# application.yml, the services' code and .exo/bus.json (the bus tokens) to every browser.
# The websocket frontend refuses to start, naming the key (exo run gives up after its
# restarts), and serves nothing meanwhile.
FRONTEND_EXTRA=''
. "$EXO_TOP_SRCDIR/tests/websocket/ws-lib.sh"
make_ws_app
for dir in . ..; do
  sed -i "s|^    static: .*|    static: $dir|" "$app/application.yml"
  "$EXO_BIN" run --app "$app" > "$T/run.out" 2>&1 &
  pid=$!
  wait_exit "$pid" 60
  [ "$RC" = 1 ] || { cat "$T/run.out" >&2; fail "exo run with static: $dir exited $RC"; }
  expect_line "$T/run.out" "frontends\.web\.static: .* is the app's directory or one above it; point static at a directory of web files only"
  expect_no_line "$T/run.out" "web online at"
  pass "static: $dir refused"
done
