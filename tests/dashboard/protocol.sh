#!/bin/bash
# The dashboard of exo run and its protocol (tests/dashboard/protocol.mjs): the token, the
# snapshot, counters against the broker's, denied messages, activities, masked payloads,
# dash.send, dash.restart; `exo dashboard` prints the URL while the app runs, and says
# clearly when it does not.
. "$EXO_TOP_SRCDIR/tests/dashboard/dash-lib.sh"
make_dash_app
start_app
[ -n "$DASH_URL" ] || { cat "$RUN_OUT" >&2; fail "no 'dashboard at URL' line"; }
# recorded for exo dashboard (run.json stays the user's alone)
[ "$("$EXO_BIN" dashboard --app "$app")" = "$DASH_URL" ] || fail "exo dashboard: not $DASH_URL"
grep -q "\"port\": $DASH_PORT" "$app/.exo/run.json" || fail "no dashboard port in run.json"
[ "$(stat -c %a "$app/.exo/run.json")" = 600 ] || fail "run.json is not 0600"
node_test protocol.mjs "$DASH_URL" "$app" "$SECRET"
expect_line "$RUN_OUT" "echo restarting \(asked from the dashboard\)"
expect_line "$RUN_OUT" "stubborn starting once it has stopped \(asked from the dashboard\)"
expect_no_line "$RUN_OUT" "$SECRET"
stop_app
"$EXO_BIN" dashboard --app "$app" > "$T/dash.out" 2>&1 && fail "exo dashboard without a run succeeded"
expect_line "$T/dash.out" "no dashboard for app dashtest .*not running: start it with 'exo run'"
pass "the dashboard's protocol under exo run"
