# exo's and the plugins' diagnostics during a run (issue 17 item 9): one line per event, in the
# column layout (the transport's under "bus", a resource plugin's under the resource), in
# .exo/logs, never a second unprefixed "exo: warning: ..." line on stderr. Before the fix a
# denied message was both "exo: warning: transport zmq: denied ..." on stderr (not in any log)
# and a "bus | web --[ ... ]-> (denied)" trace line, and the resource plugin's line was
# "exo: info: resource testres: resource db: provisioned" on stderr.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
export EXO_PLUGIN_PATH=$EXO_PLUGIN_PATH:$EXO_TOP_BUILDDIR/tests/run/fixtures/.libs
A=$T/app
mkdir -p "$A"
cat > "$A/application.yml" <<'YML'
name: diagnostics-test
shutdown-grace: 1s
resources:
  db:
    type: testres
services:
  web:
    location: ./web
    ready: started
  users:
    location: ./users
    ready: started
    resources: [db]
YML
service "$A/web" "startup:
  command: exec sleep 600
messages:
  sends: [users.list]"
service "$A/users" "startup:
  command: exec sleep 600
messages:
  receives: [users.list]"

"$EXO_BIN" run --app "$A" > "$T/out" 2> "$T/err" &
EXO=$!
wait_for "$T/out" 'all services ready' 20
"$EXO_BIN" tail --app "$A" > "$T/tail" 2>&1 &
TAIL=$!
sleep 0.5
# A name web does not declare, and one whose receiver runs no bus client.
"$EXO_BIN" send --app "$A" --as web users.drop > "$T/s1" 2>&1 && fail "a denied send succeeded"
"$EXO_BIN" send --app "$A" --as web users.list > "$T/s2" 2>&1 && fail "a send without a receiver succeeded"
wait_for "$T/out" 'no receiver' 10
wait_for "$T/tail" 'users\.list' 10
kill $TAIL; wait $TAIL 2>/dev/null
kill -INT $EXO
wait_exit $EXO 15
cat "$T/out" "$T/err"
[ "$RC" = 0 ] || fail "exo run exited $RC"

denied="warning: transport zmq: denied: role 'web' does not declare 'users\\.drop' in messages\\.sends"
none="warning: transport zmq: no receiver: 'users\\.list' from web reached 0 of 1 roles; no connected instance of \\[\"users\"\\]"
expect_line "$T/out" "^ *bus \\| $denied\$"
expect_line "$T/out" "^ *bus \\| $none\$"
# one line per event: no trace line besides the warning
expect_no_line "$T/out" '\((denied|no-receiver)\)'
[ "$(grep -c 'users\.drop' "$T/out")" = 1 ] || fail "the denial was said more than once"
# in the bus's log
expect_line "$A/.exo/logs/bus.log" "^[0-9T:.Z-]+ bus $denied\$"
expect_line "$A/.exo/logs/bus.log" "^[0-9T:.Z-]+ bus $none\$"
# the resource plugin's line under the resource, and in its log
expect_line "$T/out" '^ *db \| info: resource testres: provisioned$'
expect_line "$A/.exo/logs/db.log" '^[0-9T:.Z-]+ exo info: resource testres: provisioned$'
# nothing besides the layout: stderr is empty
[ ! -s "$T/err" ] || fail "exo run wrote to stderr: $(cat "$T/err")"
# exo tail still sees every event
expect_line "$T/tail" '^web  --\[ users\.drop \]->  \(denied\)$'
expect_line "$T/tail" '^web  --\[ users\.list \]->  users  \(no-receiver\)$'
expect_nothing_left
pass "diagnostics: one line per event, in the column layout and the logs"
