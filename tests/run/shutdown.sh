# exo run: SIGINT and SIGTERM stop every service (process groups, children, a service that
# ignores SIGTERM, a grandchild that left its group) and exo exits 0; a second Ctrl-C kills
# at once. Checked in /proc: nothing of the app is left.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
A=$T/app
mkdir -p "$A"
cat > "$A/application.yml" <<'YML'
name: shutdown-test
shutdown-grace: 1s
services:
  forker:
    location: ./forker
  stubborn:
    location: ./stubborn
  escaper:
    location: ./escaper
YML
service "$A/forker" "startup:
  command: sleep 600 & sleep 600 & echo children started; wait
  online-text: children started"
service "$A/stubborn" "startup:
  command: trap 'echo ignoring TERM' TERM; echo stubborn up; while :; do sleep 0.1; done
  online-text: stubborn up"
# setsid: a grandchild in a session of its own, out of reach of a group kill.
service "$A/escaper" "startup:
  command: setsid sleep 600 & echo escaped; exec sleep 600
  online-text: escaped"

for sig in INT TERM; do
  "$EXO_BIN" run --app "$A" > "$T/out.$sig" 2>&1 &
  EXO=$!
  wait_for "$T/out.$sig" 'all services ready' 10
  [ "$(marked_pids | wc -l)" -ge 6 ] || fail "expected the services and their children running"
  kill -$sig $EXO
  wait_exit $EXO 10
  cat "$T/out.$sig"
  [ "$RC" = 0 ] || fail "exo exited $RC after SIG$sig (want 0)"
  expect_line "$T/out.$sig" 'stubborn \| ignoring TERM'
  expect_line "$T/out.$sig" 'stopped$'
  expect_nothing_left
  [ ! -e "$A/.exo/run.json" ] || fail "run.json left after a clean shutdown"
  pass "SIG$sig stops everything"
done

# A second Ctrl-C does not wait for the grace period.
sed -i 's/shutdown-grace: 1s/shutdown-grace: 60s/' "$A/application.yml"
"$EXO_BIN" run --app "$A" > "$T/out.2" 2>&1 &
EXO=$!
wait_for "$T/out.2" 'all services ready' 10
kill -INT $EXO
wait_for "$T/out.2" 'stubborn \| ignoring TERM' 5
kill -INT $EXO
wait_exit $EXO 5
expect_line "$T/out.2" 'killing everything now'
expect_nothing_left
pass "second Ctrl-C kills at once"
