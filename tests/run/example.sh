# examples/todo/demo.sh end to end: setup builds the C store, exo run brings the app up on the
# embedded bus, request/reply through the translated generic store and the Python stats.
# EXO_BUS_TRANSPORT=nats (tests/run/nats/example.sh) runs the same app unchanged but for
# `bus: transport: nats` in its application.yml (docs/bus-nats.md).
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
transport=${EXO_BUS_TRANSPORT:-zmq}
missing() {
  [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "required: $*"
  echo "skip: $*"; exit 77
}
if [ "$transport" = nats ]; then
  [ -e "$EXO_PLUGIN_PATH/transport_nats.so" ] || missing "the nats transport was not built (install libnats-dev and run configure)"
  command -v nats-server >/dev/null || missing "nats-server is not installed"
fi
[ -e "$EXO_TOP_BUILDDIR/plugins/transport-zmq/.libs/libexoservice.so" ] || {
  [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "libexoservice is not built"
  echo "skip: libexoservice is not built"; exit 77; }
cp -r "$EXO_TOP_SRCDIR/examples/todo" "$T/todo"
rm -rf "$T/todo/.exo" "$T/todo/store/store"
[ "$transport" = zmq ] || printf 'bus:\n  transport: %s\n' "$transport" >> "$T/todo/application.yml"
# The demo looks for the build tree next to itself; point it there.
EXO_TOP_BUILDDIR=$EXO_TOP_BUILDDIR EXO_TOP_SRCDIR=$EXO_TOP_SRCDIR EXO_BIN=$EXO_BIN \
  EXO_PYTHON_DIR=$EXO_TOP_SRCDIR/plugins/transport-zmq/python \
  EXO_CFLAGS="-I$EXO_TOP_SRCDIR/plugins/transport-zmq/include -I$EXO_TOP_SRCDIR/plugin-api -I$EXO_TOP_BUILDDIR/plugin-api" \
  EXO_LIBS="-L$EXO_TOP_BUILDDIR/plugins/transport-zmq/.libs -Wl,-rpath,$EXO_TOP_BUILDDIR/plugins/transport-zmq/.libs -lexoservice${EXO_SANITIZE_FLAGS:+ $EXO_SANITIZE_FLAGS}" \
  sh "$T/todo/demo.sh" > "$T/out" 2>&1
RC=$?
cat "$T/out"
[ "$RC" = 0 ] || fail "demo exited $RC"
expect_line "$T/out" '"name": ?"todo.created"'
expect_line "$T/out" '"text": ?"write the report"'
expect_line "$T/out" '"count": ?2'
expect_line "$T/out" '"todos_created": ?2'
expect_line "$T/out" 'todos \| created item 2 for web: write the report'
expect_line "$T/out" 'stats \| counted a new to-do: 2 so far'
expect_line "$T/out" 'todos ready in [0-9]+ ms \(registered on the bus\)'
if [ "$transport" = zmq ]; then
  expect_line "$T/out" 'web +--\[ todo.create \]-\[ item.create \]-> +todos'
else
  # NATS has no broker to report each message; registrations are traced (docs/bus-nats.md).
  expect_line "$T/out" 'bus \| todos online \(instance [0-9]+, '
  expect_line "$T/out" 'bus listening on nats://127\.0\.0\.1:[0-9]+'
fi
expect_nothing_left
pass "the todo example"

# Its tests: the C store's self-test (built by the demo's setup), the Python unit test.
EXO_PYTHON_DIR=$EXO_TOP_SRCDIR/plugins/transport-zmq/python "$EXO_BIN" test --app "$T/todo" > "$T/test" 2>&1
RC=$?
cat "$T/test"
[ "$RC" = 0 ] || fail "exo test on the example exited $RC"
expect_line "$T/test" 'todos \| self-test ok'
expect_line "$T/test" 'summary: 2 passed, 0 failed, 1 skipped'
expect_nothing_left
pass "the todo example's tests"
