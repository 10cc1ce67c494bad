# tests/support/generated-todo.sh - the todo example made ready for a generated deployment on a
# real engine (tests/containers/compose.sh, kubernetes.sh). Source it after run-lib.sh,
# engines.sh and debian-base.sh:
#
#   generated_todo_require || exit $?        # libexoservice built (77/1 otherwise)
#   base=$(generated_todo_base) || fail ...  # the Debian base tar the images build FROM
#   generated_todo_app "$T/todo" compose     # copy, exo setup, exo generate compose, exo
#                                            # staged into deploy/compose/bus/exo-root
#   generated_todo_round_trip "docker exec bus" diag_fn   # messages through the deployed bus
# Failures end the test through run-lib.sh's fail.

generated_todo_require() {
  [ -e "$EXO_TOP_BUILDDIR/plugins/transport-zmq/.libs/libexoservice.so" ] && return 0
  [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "libexoservice is not built"
  echo "skip: libexoservice is not built"
  return 77
}

# What the examples' images need from Debian, so that they build without a package mirror.
generated_todo_base() {
  debian_base_tar python3-zmq libzmq5 libjansson4 libyaml-0-2 libltdl7
}

# generated_todo_app APP GENERATOR: examples/todo copied to APP and set up against the build
# tree's SDK (what the Dockerfiles copy), generated with GENERATOR into APP/deploy/GENERATOR,
# and exo installed into the bus image's context there, as docs/deploy.md says.
generated_todo_app() {
  local app="$1" gen="$2"
  cp -r "$EXO_TOP_SRCDIR/examples/todo" "$app"
  rm -rf "$app/.exo" "$app/store/store" "$app"/*/sdk "$app/deploy"
  EXO_PYTHON_DIR=$EXO_TOP_SRCDIR/plugins/transport-zmq/python \
    EXO_CFLAGS="-I$EXO_TOP_SRCDIR/plugins/transport-zmq/include -I$EXO_TOP_SRCDIR/plugin-api -I$EXO_TOP_BUILDDIR/plugin-api" \
    EXO_LIBS="-L$EXO_TOP_BUILDDIR/plugins/transport-zmq/.libs -Wl,-rpath,$EXO_TOP_BUILDDIR/plugins/transport-zmq/.libs -lexoservice" \
    "$EXO_BIN" setup --app "$app" >"$T/setup.out" 2>&1 || { cat "$T/setup.out"; fail "exo setup"; }
  "$EXO_BIN" generate "$gen" --app "$app" >"$T/gen.out" 2>&1 ||
    { cat "$T/gen.out"; fail "exo generate $gen"; }
  # The parent make's jobserver and variables stay out of the install.
  env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -C "$EXO_TOP_BUILDDIR" install \
    DESTDIR="$app/deploy/$gen/bus/exo-root" >"$T/install.log" 2>&1 ||
    { tail "$T/install.log"; fail "make install"; }
}

# generated_todo_round_trip WHERE DIAG: through the deployed bus, as web, todo.create gets
# todo.created from the store, and stats.get then reports the to-do counted. WHERE is a
# command prefix that runs a command in the bus's container (it has exo and the app's
# manifests in /app); DIAG a command that shows the deployment when a send gets no reply.
# Each send is retried for up to a minute while the deployment comes up.
generated_todo_round_trip() {
  local where="$1" diag="$2" i
  gt_send() {
    for i in $(seq 1 60); do
      $where exo send --app /app --as web --wait --timeout 3000 "$1" "$2" \
        >"$T/reply" 2>"$T/reply.err" && return 0
      sleep 1
    done
    cat "$T/reply.err"; $diag
    fail "exo send $1 got no reply"
  }
  gt_send todo.create '{"text": "ship the deployment"}'
  grep -q '"name":"todo.created"' "$T/reply" || fail "todo.create: $(cat "$T/reply")"
  grep -q 'ship the deployment' "$T/reply" || fail "todo.created lacks the text: $(cat "$T/reply")"
  pass "todo.create through the bus got todo.created from the store"
  for i in $(seq 1 50); do
    gt_send stats.get '{}'
    grep -q '"todos_created":1' "$T/reply" && break
    sleep 0.2
  done
  grep -q '"todos_created":1' "$T/reply" || fail "stats did not count the to-do: $(cat "$T/reply")"
  pass "the stats service counted it"
}
