# tests/containers/e2e-lib.sh - shared setup for the `exo run/test --backend docker|podman`
# tests: starts the engine ($ENGINE), imports two images and writes a two-service app.
#   exo-busybox:test  busybox-static, for shell services
#   exo-tsvc:test     the host-built tsvc (libexoservice) with its libraries, for bus services
# The app "pingpong": pong answers `ping` with `pong`; ping sends `ping` once online and
# prints the reply. Both run `tsvc`, so the same app runs on the process backend too.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/support/engines.sh"

TSVC_DIR="$EXO_TOP_BUILDDIR/plugins/transport-zmq/tests"
[ -x "$TSVC_DIR/tsvc" ] || make -C "$EXO_TOP_BUILDDIR" plugins/transport-zmq/tests/tsvc >/dev/null

# e2e_engine_up ENGINE: start it (skip/fail when missing) and import the images.
e2e_engine_up() {
  ENGINE=$1
  engines_require "$ENGINE"; local r=$?
  [ $r = 0 ] || exit $r
  trap 'engine_${ENGINE}_stop; lib_cleanup' EXIT
  "engine_${ENGINE}_start" "$T" || fail "$ENGINE did not start"
  engine_import_busybox "$ENGINE" exo-busybox:test || fail "importing busybox into $ENGINE"
  # libtool keeps the real binary in .libs; its libraries are found through the build tree.
  local bin="$TSVC_DIR/.libs/tsvc"
  [ -x "$bin" ] || bin="$TSVC_DIR/tsvc"
  LD_LIBRARY_PATH="$EXO_TOP_BUILDDIR/plugins/transport-zmq/.libs" \
    engine_import_host_binary "$ENGINE" exo-tsvc:test "$bin" || fail "importing tsvc into $ENGINE"
}

# e2e_app DIR: the pingpong app, with services running tsvc from PATH (process backend) or
# from the exo-tsvc:test image (container backends).
e2e_app() {
  local A=$1
  mkdir -p "$A/ping" "$A/pong"
  cat > "$A/application.yml" <<'YML'
name: pingpong
shutdown-grace: 2s
services:
  pong:
    location: ./pong
  ping:
    location: ./ping
    depends-on: [pong]
YML
  cat > "$A/pong/service.yml" <<'YML'
startup:
  command: tsvc --label pong --reply ping=pong
messages:
  receives: [ping]
  sends: [pong]
test: echo "pong tests run in $(hostname) as $(id -u)"; test ! -d /mnt/app
docker:
  image: exo-tsvc:test
YML
  cat > "$A/ping/service.yml" <<'YML'
startup:
  command: tsvc --label ping --send ping '{"n":1}'
messages:
  sends: [ping]
  receives: [pong]
test: echo ping-tests-failing; exit 3
docker:
  image: exo-tsvc:test
YML
}

# containers_of APP / networks_of APP: what the engine holds for the app (any run).
containers_of() { "$ENGINE" ps -aq --filter "label=exo.app=$1"; }
networks_of() { "$ENGINE" network ls -q --filter "label=exo.app=$1"; }

# e2e_outsider: a container this test starts outside exo; it must survive everything.
e2e_outsider() {
  "$ENGINE" run -d --name "exo-outsider-$$" exo-busybox:test sleep 600 >/dev/null ||
    fail "starting the outsider container"
}
e2e_outsider_alive() {
  [ -n "$("$ENGINE" ps -q --filter "name=exo-outsider-$$")" ] || fail "exo removed a container it did not start"
}
