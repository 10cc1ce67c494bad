#!/bin/bash
# The same app, unchanged, under the process, docker and podman backends: what a user sees
# (the messages exchanged, the readiness order, the exit code of Ctrl-C) must be the same.
. "$EXO_TOP_SRCDIR/tests/containers/e2e-lib.sh"
engines_require_both || exit
trap 'engine_docker_stop; engine_podman_stop; lib_cleanup' EXIT
engine_docker_start "$T" || fail "dockerd did not start"
engine_podman_start "$T" || fail "podman does not work"
bin="$TSVC_DIR/.libs/tsvc"
[ -x "$bin" ] || bin="$TSVC_DIR/tsvc"
for e in docker podman; do
  engine_import_busybox $e exo-busybox:test || fail "import into $e"
  LD_LIBRARY_PATH="$EXO_TOP_BUILDDIR/plugins/transport-zmq/.libs" \
    engine_import_host_binary $e exo-tsvc:test "$bin" || fail "import tsvc into $e"
done
A=$T/app
e2e_app "$A"
export PATH="$TSVC_DIR:$PATH" # the process backend finds tsvc here

# seen BACKEND: run the app, Ctrl-C it once the reply arrived, keep what a user sees.
seen() {
  local out="$T/$1.out"
  "$EXO_BIN" run --app "$A" --backend "$1" > "$out" 2>&1 &
  local pid=$!
  wait_for "$out" '^ *ping \| got pong from pong' 120
  wait_for "$out" '^ *pong \| got ping from ping' 30
  kill -INT $pid
  wait_exit $pid 60
  {
    echo "exit $RC"
    # readiness order and the messages, without timings and activity ids
    grep -oE '(pong|ping) ready|all services ready \([0-9]+ services\)' "$out"
    # (two roles' outputs reach exo on separate streams: their relative order is not fixed)
    grep -E '^ *(ping|pong) \| got ' "$out" |
      sed -E 's/activity [^ ]+/activity A/; s/^ +//' | sort
  } > "$T/$1.seen"
}
for b in process docker podman; do seen $b; done
for b in docker podman; do
  diff -u "$T/process.seen" "$T/$b.seen" || fail "$b shows something else than process"
done
cat "$T/process.seen"
pass "process, docker and podman show the same messages, readiness order and exit code"
