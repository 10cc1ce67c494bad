# exo clean: after exo was killed (SIGKILL, no chance to clean up), `exo clean` kills what
# it left running and removes run state and logs, and touches nothing it did not start.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
A=$T/app
mkdir -p "$A"
cat > "$A/application.yml" <<'YML'
name: clean-test
shutdown-grace: 1s
services:
  worker:
    location: ./worker
YML
service "$A/worker" "startup:
  command: sleep 600 & echo worker up; exec sleep 601
  online-text: worker up"

# An unrelated process running the same command: it must survive.
sleep 601 &
OTHER=$!

"$EXO_BIN" run --app "$A" > "$T/out" 2>&1 &
EXO=$!
wait_for "$T/out" 'all services ready' 10
kill -KILL $EXO
wait $EXO 2>/dev/null
left=$(marked_pids | grep -vx "$OTHER" | wc -l)
[ "$left" -ge 2 ] || fail "expected leftovers after killing exo (found $left)"
[ -e "$A/.exo/run.json" ] || fail "no run.json"
[ -d "$A/.exo/logs" ] || fail "no logs"

"$EXO_BIN" clean --app "$A" > "$T/clean" 2>&1 || { cat "$T/clean"; fail "exo clean failed"; }
cat "$T/clean"
expect_nothing_left $OTHER
kill -0 $OTHER || fail "exo clean killed a process it did not start"
[ ! -e "$A/.exo/run.json" ] && [ ! -e "$A/.exo/logs" ] && [ ! -e "$A/.exo/state" ] &&
  [ ! -e "$A/.exo/bus.json" ] ||
  fail "exo clean left run state: $(ls -R "$A/.exo")"
pass "clean after a killed exo"

# A later exo run after a killed one cleans up by itself; clean also stops a live exo.
"$EXO_BIN" run --app "$A" > "$T/out1" 2>&1 &
EXO=$!
wait_for "$T/out1" 'all services ready' 10
old=$(marked_pids | grep -vx "$OTHER")
kill -KILL $EXO
wait $EXO 2>/dev/null
"$EXO_BIN" run --app "$A" > "$T/out2" 2>&1 &
EXO=$!
wait_for "$T/out2" 'all services ready' 10
expect_line "$T/out2" 'cleaning up after an earlier run that did not shut down'
for p in $old; do
  ! kill -0 "$p" 2>/dev/null || grep -q ') Z ' /proc/$p/stat 2>/dev/null || fail "leftover $p of the killed run survived the next run"
done
"$EXO_BIN" run --app "$A" > "$T/dup" 2>&1 && fail "a second exo run on the same app started"
expect_line "$T/dup" 'already running this app'
"$EXO_BIN" clean --app "$A" > "$T/clean2" 2>&1
wait_exit $EXO 10
expect_line "$T/clean2" 'stopping exo run \(pid [0-9]+\)'
expect_nothing_left $OTHER
kill -0 $OTHER || fail "exo clean killed a process it did not start"
kill $OTHER
pass "clean stops a live exo; duplicate run refused"
