# tests/support/run-lib.sh - helpers for the exo run integration tests. Source it first:
#   . "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
# It makes a scratch directory ($T), removes it on exit, and kills whatever the test started
# that is still running (every process that inherited $RUNTEST_MARK).
set -u
: "${EXO_BIN:?run through make check}"
T=$(mktemp -d /tmp/exo-test.XXXXXX)
RUNTEST_MARK="exo-test-$$-$RANDOM"
export RUNTEST_MARK
PY=/usr/bin/python3

# PIDs of live (non-zombie) processes carrying this test's marker.
marked_pids() {
  local p
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = "$$" ] && continue
    if { tr "\0" "\n" < "$p/environ"; } 2>/dev/null | grep -qx "RUNTEST_MARK=$RUNTEST_MARK"; then
      grep -q ') Z ' "$p/stat" 2>/dev/null || echo "${p#/proc/}"
    fi
  done
}

lib_cleanup() {
  local pids
  pids=$(marked_pids)
  [ -n "$pids" ] && kill -9 $pids 2>/dev/null
  rm -rf "$T"
}
trap lib_cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# wait_for FILE REGEX [SECONDS]: until a line of FILE matches (grep -E).
wait_for() {
  local i n=$(( ${3:-10} * 20 ))
  for ((i = 0; i < n; i++)); do
    grep -qE -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "--- $1:" >&2; cat "$1" >&2
  fail "timed out waiting for /$2/ in $1"
}

# wait_exit PID [SECONDS]: until PID is gone; sets RC to its exit status.
wait_exit() {
  local i n=$(( ${2:-10} * 20 ))
  for ((i = 0; i < n; i++)); do
    if ! kill -0 "$1" 2>/dev/null; then
      wait "$1"; RC=$?; return 0
    fi
    sleep 0.05
  done
  fail "process $1 did not exit within ${2:-10} s"
}

# expect_line FILE REGEX / expect_no_line FILE REGEX
expect_line() { grep -qE -- "$2" "$1" || { cat "$1" >&2; fail "no line /$2/ in $1"; }; }
expect_no_line() { ! grep -qE -- "$2" "$1" || { cat "$1" >&2; fail "unexpected /$2/ in $1"; }; }

# line_no FILE REGEX: number of the first matching line (0 when none).
line_no() { grep -nE -- "$2" "$1" | head -1 | cut -d: -f1 | grep . || echo 0; }

# service DIR YAML: write DIR/service.yml.
service() { mkdir -p "$1"; printf '%s\n' "$2" > "$1/service.yml"; }

# The bus test service (plugins/transport-zmq/tests/tsvc.c).
TSVC="$EXO_TOP_BUILDDIR/plugins/transport-zmq/tests/tsvc"

# ping_pair APP COUNT: services `listener` (counts the pings it receives) and `talker` (sends
# COUNT pings) in APP; application.yml declares them.
ping_pair() {
  service "$1/listener" "startup:
  command: exec $TSVC --count
messages:
  receives: [ping]"
  service "$1/talker" "startup:
  command: exec $TSVC --flood ping $2
messages:
  sends: [ping]"
}

# No process of the test may be left, except the pids given (killed ones get 2 s to go).
expect_nothing_left() {
  local i left
  for ((i = 0; i < 40; i++)); do
    left=$(marked_pids)
    for keep in "$@"; do left=$(echo "$left" | grep -vx "$keep"); done
    [ -z "$left" ] && return 0
    sleep 0.05
  done
  ps -o pid,pgid,ppid,stat,args -p $left >&2
  fail "left running: $left"
}
