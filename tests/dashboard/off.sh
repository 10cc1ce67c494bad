#!/bin/bash
# exo run --no-dashboard serves none (and exo dashboard says so); --dashboard-port pins the
# port, and a pinned port that is taken stops exo run before anything starts.
. "$EXO_TOP_SRCDIR/tests/dashboard/dash-lib.sh"
make_dash_app
start_app --no-dashboard
expect_no_line "$RUN_OUT" "dashboard"
"$EXO_BIN" dashboard --app "$app" > "$T/dash.out" 2>&1 && fail "exo dashboard succeeded"
expect_line "$T/dash.out" "serves no dashboard \(started with --no-dashboard"
grep -q '"dashboard"' "$app/.exo/run.json" && fail "run.json names a dashboard"
stop_app

# a pinned port: served there; a second app asking for the same port is refused at once
PIN=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_app --dashboard-port "$PIN"
[ "$DASH_PORT" = "$PIN" ] || fail "dashboard on $DASH_PORT, not the pinned $PIN"
cp -r "$app" "$T/app2"
sed -i 's/^name: dashtest/name: dashtwo/' "$T/app2/application.yml"
rm -rf "$T/app2/.exo"
"$EXO_BIN" run --app "$T/app2" --dashboard-port "$PIN" > "$T/two.out" 2>&1 && fail "a taken port was accepted"
expect_line "$T/two.out" "--dashboard-port $PIN: .*pick another port"
expect_no_line "$T/two.out" "echo online"
"$EXO_BIN" run --app "$T/app2" --dashboard-port 70000 > "$T/bad.out" 2>&1 && fail "port 70000 accepted"
expect_line "$T/bad.out" "--dashboard-port takes a port from 1 to 65535, not '70000'"
stop_app
pass "--no-dashboard and --dashboard-port"
