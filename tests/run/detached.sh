# A daemon that sheds every mark of its unit (a new session, a cleared environment: no
# EXO_RUN_ID, no test marker) and is left behind by a killed exo (SIGKILL) is killed by the
# next `exo clean` and by the next `exo run`, because exo recorded it with its start time
# while it was exo's descendant. A process whose pid is in that record but whose start time
# differs (the pid was used again) is the user's and survives.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
A=$T/app
mkdir -p "$A"
cat > "$A/application.yml" <<'YML'
name: detached-test
shutdown-grace: 1s
services:
  worker:
    location: ./worker
YML
# $! is the daemon itself: setsid and env exec, the shell has no job control to fork for.
service "$A/worker" "startup:
  command: ( setsid env -i /bin/sleep 607 & echo \$! > daemon.pid ); echo worker up; exec sleep 601
  online-text: worker up"
RECORD=$A/.exo/state/backend-process/descendants

# An unrelated process of the user, and its start time in /proc.
sleep 602 &
OTHER=$!
start_of() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20; }

# start_and_kill OUT: exo run until the daemon is recorded, then SIGKILL exo; DAEMON is set.
start_and_kill() {
  rm -f "$A/worker/daemon.pid"
  "$EXO_BIN" run --app "$A" > "$1" 2>&1 &
  EXO=$!
  wait_for "$1" 'all services ready' 10
  wait_for "$A/worker/daemon.pid" '^[0-9]+$' 5
  DAEMON=$(cat "$A/worker/daemon.pid")
  wait_for "$RECORD" "^$DAEMON $(start_of "$DAEMON")\$" 5
  kill -KILL $EXO
  wait $EXO 2>/dev/null
  grep -q RUNTEST_MARK "/proc/$DAEMON/environ" 2>/dev/null && fail "the daemon kept the environment"
  [ "$(cut -d' ' -f6 "/proc/$DAEMON/stat")" = "$DAEMON" ] || fail "the daemon is not in a session of its own"
  kill -0 "$DAEMON" 2>/dev/null || fail "the daemon did not outlive the killed exo"
}

# gone PID: PID is dead or a zombie within 2 s.
gone() {
  local i
  for ((i = 0; i < 40; i++)); do
    kill -0 "$1" 2>/dev/null || return 0
    grep -q ') Z ' "/proc/$1/stat" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

start_and_kill "$T/out1"
# The user's process, recorded as if its pid had belonged to the run with another start time.
echo "$OTHER $(( $(start_of $OTHER) + 1 ))" >> "$RECORD"
"$EXO_BIN" clean --app "$A" > "$T/clean" 2>&1 || { cat "$T/clean"; fail "exo clean failed"; }
gone "$DAEMON" || fail "exo clean left the detached daemon $DAEMON running"
kill -0 $OTHER || fail "exo clean killed a process whose recorded start time differs"
expect_nothing_left $OTHER
pass "exo clean kills a detached daemon with a cleared environment"

start_and_kill "$T/out2"
echo "$OTHER $(( $(start_of $OTHER) - 1 ))" >> "$RECORD"
"$EXO_BIN" run --app "$A" > "$T/out3" 2>&1 &
EXO=$!
wait_for "$T/out3" 'all services ready' 10
expect_line "$T/out3" 'cleaning up after an earlier run that did not shut down'
gone "$DAEMON" || fail "the next exo run left the detached daemon $DAEMON running"
kill -0 $OTHER || fail "exo run killed a process whose recorded start time differs"
pass "the next exo run kills a detached daemon with a cleared environment"

# A clean shutdown removes the record (what exo reaps itself is not for a later cleanup).
wait_for "$A/worker/daemon.pid" '^[0-9]+$' 5
DAEMON=$(cat "$A/worker/daemon.pid")
wait_for "$RECORD" "^$DAEMON " 5
kill -INT $EXO
wait_exit $EXO 10
kill -KILL "$DAEMON" 2>/dev/null
[ ! -e "$RECORD" ] || fail "a clean shutdown left the record of descendants"
kill -0 $OTHER || fail "a clean shutdown killed the user's process"
kill $OTHER
pass "a clean shutdown removes the record"
