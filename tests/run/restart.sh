# exo run: a crash is reported with its exit code or signal, restarted with exponential
# backoff, given up on after max-restarts; the other services keep running.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
A=$T/app
mkdir -p "$A"
cat > "$A/application.yml" <<'YML'
name: restart-test
shutdown-grace: 1s
services:
  crasher:
    location: ./crasher
    max-restarts: 2
  segv:
    location: ./segv
    restart: no
  steady:
    location: ./steady
  done-ok:
    location: ./done-ok
  migrate:
    location: ./migrate
  after-migrate:
    location: ./after-migrate
    depends-on: [migrate]
YML
# Ready first, then crash shortly after the app came up (the test says so with ../app-up: a
# service that fails while the app comes up fails the app, and `ready: started` services take
# their ready-settle).
service "$A/crasher" "startup:
  command: echo up \$(date +%s%N); until [ -e ../app-up ]; do sleep 0.05; done; sleep 0.5; echo going down >&2; exit 3
  online-text: up"
service "$A/segv" "startup:
  command: echo up; until [ -e ../app-up ]; do sleep 0.05; done; sleep 0.5; kill -SEGV \$\$
  online-text: up"
service "$A/steady" "startup:
  command: while :; do echo tick; sleep 0.2; done"
service "$A/done-ok" "startup:
  command: echo finished"
# A one-shot job (online text, exits 0 after a while) that another service depends on: it
# runs once, and its dependent starts after it finished.
service "$A/migrate" "startup:
  command: echo migrating; sleep 0.1; echo migrated
  online-text: never said"
service "$A/after-migrate" "startup:
  command: echo after migrate; exec sleep 600"

"$EXO_BIN" run --app "$A" > "$T/out" 2>&1 &
EXO=$!
wait_for "$T/out" 'all services ready' 20
touch "$A/app-up"
wait_for "$T/out" 'crasher failed: exited with code 3; gave up after 2 restarts' 20
wait_for "$T/out" 'segv failed: was killed by signal 11 \(SIGSEGV\); restart policy .no., not restarting' 10
n=$(grep -c 'steady | tick' "$T/out")
sleep 0.6
m=$(grep -c 'steady | tick' "$T/out")
[ "$m" -gt "$n" ] || fail "steady stopped ticking after the others failed"
kill -0 $EXO || fail "exo exited when services failed after coming up"
kill -INT $EXO
wait_exit $EXO 10
cat "$T/out"
[ "$RC" = 0 ] || fail "exo exited $RC"
expect_line "$T/out" 'crasher exited with code 3; restarting in 250 ms \(restart 1 of 2\)'
expect_line "$T/out" 'crasher exited with code 3; restarting in 500 ms \(restart 2 of 2\)'
expect_line "$T/out" 'crasher \| going down'
[ "$(grep -c 'crasher | up' "$T/out")" = 3 ] || fail "crasher did not run exactly 3 times"
expect_line "$T/out" "done-ok exited with code 0; restart policy 'on-failure', not restarting"
expect_no_line "$T/out" 'done-ok failed'
[ "$(grep -c 'migrate | migrating' "$T/out")" = 1 ] || fail "the one-shot job ran more than once"
[ "$(line_no "$T/out" 'migrate | migrated')" -lt "$(line_no "$T/out" 'after-migrate | after migrate')" ] ||
  fail "after-migrate started before migrate finished"
# The backoff really waited: the gap before the second restart is at least 500 ms.
t=($(sed -n 's/.*crasher | up \([0-9]*\)$/\1/p' "$T/out"))
[ $(( (t[2] - t[1]) / 1000000 )) -ge 650 ] || fail "second restart came after $(( (t[2] - t[1]) / 1000000 )) ms"
expect_nothing_left
pass "crash reports, backoff, giving up, others keep running"
