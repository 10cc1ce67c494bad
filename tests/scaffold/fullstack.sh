#!/bin/bash
# The fullstack template without a browser: `exo create app shop --template fullstack`, exo
# setup, exo test (the handler tests, and the store tests on a fresh Postgres), then under
# exo run the C service answers over the bus (exo send as a `client` role declaring the same
# messages as the page): create, a refused empty item, list, delete, clear; and every change
# is pushed in an activity of its own to each role that receives it (the client logs them).
# The browser tests (tests/browser/fullstack.sh) drive the same app through its page.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
exo=$EXO_BIN
libs="$EXO_TOP_BUILDDIR/plugins/transport-zmq/.libs"
missing() { [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "$1"; echo "skip: $1"; exit 77; }
[ -e "$libs/libexoservice.so" ] || missing "libexoservice is not built"
[ -e "$EXO_TOP_BUILDDIR/plugins/.libs/resource_postgres.so" ] ||
  missing "the postgres resource plugin is not built (libpq-dev)"
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing "PostgreSQL is not installed"
export EXO_CFLAGS="-I$EXO_TOP_SRCDIR/plugins/transport-zmq/include -I$EXO_TOP_SRCDIR/plugin-api -I$EXO_TOP_BUILDDIR/plugin-api"
export EXO_LIBS="-L$libs -Wl,-rpath,$libs -lexoservice${EXO_SANITIZE_FLAGS:+ $EXO_SANITIZE_FLAGS}"
export EXO_PYTHON_DIR="$EXO_TOP_SRCDIR/plugins/transport-zmq/python" # the client role is a Python service
# PostgreSQL runs as the postgres user when the suite runs as root: it must reach the app.
chmod 755 "$T"
cd "$T" || exit 1

"$exo" create app shop --template fullstack </dev/null >"$T/create.out" 2>&1 ||
  { cat "$T/create.out"; fail "exo create app --template fullstack"; }
expect_line "$T/create.out" '^Next: cd shop && exo setup && exo run$'
cd shop || exit 1
for f in application.yml todos/service.yml todos/src/main.c db/migrations/001_todos.sql \
         web/public/index.html web/public/app.js web/public/style.css; do
  [ -f "$f" ] || fail "the template did not render $f"
done
grep -q '<title>shop: to-do list</title>' web/public/index.html || fail "index.html lacks the app's name"
grep -q "import {connect} from '/exo.js'" web/public/app.js || fail "app.js does not use /exo.js"

# Without the websocket plugin (built when libwebsockets is found) the app runs without its
# page: this test is about the service (tests/browser needs the plugin).
if [ ! -e "$EXO_TOP_BUILDDIR/plugins/.libs/frontend_websocket.so" ]; then
  echo "no websocket frontend plugin: the app runs without its page"
  $PY -c 'import sys; s=open(sys.argv[1]).read(); open(sys.argv[1],"w").write(s[:s.index("\nfrontends:")]+"\n")' application.yml
fi

# Allow clearing, as todos/service.yml says.
sed -i 's/^  receives: \[todo.list, todo.create, todo.delete\]$/  receives: [todo.list, todo.create, todo.delete, todo.clear]/;
        s/^  sends: \[\(todo.listed.*todo.removed\)\]$/  sends: [\1, todo.cleared]/' todos/service.yml
grep -q 'todo.clear\]' todos/service.yml && grep -q 'todo.removed, todo.cleared\]' todos/service.yml ||
  { cat todos/service.yml; fail "cannot allow todo.clear in todos/service.yml"; }

# A role to send from, with the page's messages (the page's own role is a frontend).
"$exo" add service client --template client \
  --set sends=todo.list,todo.create,todo.delete,todo.clear \
  --set receives=todo.listed,todo.created,todo.deleted,todo.refused,todo.added,todo.removed,todo.cleared \
  </dev/null >"$T/add.out" 2>&1 || { cat "$T/add.out"; fail "exo add service client"; }
"$exo" check </dev/null >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "exo check"; }
"$exo" setup </dev/null >"$T/setup.out" 2>&1 || { cat "$T/setup.out"; fail "exo setup"; }
"$exo" test todos </dev/null >"$T/test.out" 2>&1 || { cat "$T/test.out"; fail "exo test"; }
expect_line "$T/test.out" 'all handler tests passed'
expect_line "$T/test.out" 'all store tests passed'

"$exo" run </dev/null >"$T/run.out" 2>&1 &
run_pid=$!
wait_for "$T/run.out" 'all services ready|failed|error' 120
expect_line "$T/run.out" 'all services ready'

# send NAME PAYLOAD: the reply of todos, on stdout.
send() {
  "$exo" send --as client "$1" "$2" --wait --timeout 5000 </dev/null 2>"$T/send.err" ||
    { cat "$T/send.err" "$T/run.out"; fail "exo send $1 $2"; }
}
reply=$(send todo.create '{"text": "  buy milk  "}')
echo "$reply" | grep -q '"name":"todo.created".*"item":{"id":1,"text":"buy milk","created":"' ||
  fail "todo.create: $reply"
send todo.create '{"text": "fix the bike"}' >/dev/null
reply=$(send todo.create '{"text": "   "}')
echo "$reply" | grep -q '"name":"todo.refused".*"error":"an item needs some text"' ||
  fail "an empty item was not refused: $reply"
reply=$(send todo.list '{}')
echo "$reply" | grep -q '"items":\[{"id":1,"text":"buy milk",.*{"id":2,"text":"fix the bike",' ||
  fail "todo.list: $reply"
reply=$(send todo.delete '{"id": 1}')
echo "$reply" | grep -q '"name":"todo.deleted".*"id":1,"deleted":true' || fail "todo.delete: $reply"
reply=$(send todo.clear '{}')
echo "$reply" | grep -q '"name":"todo.cleared".*"count":1' || fail "todo.clear: $reply"

# The pushes, each in a new activity, reached the client role's instance.
wait_for "$T/run.out" 'client \| client: got todo.added from todos: \{"item":\{"id":2,' 10
wait_for "$T/run.out" 'client \| client: got todo.removed from todos: \{"id":1\}' 10
wait_for "$T/run.out" 'client \| client: got todo.cleared from todos' 10
expect_no_line "$T/run.out" 'todos: (cannot|todo\.)'

kill -INT "$run_pid"
wait_exit "$run_pid" 60
[ "$RC" = 0 ] || { cat "$T/run.out"; fail "exo run exited $RC"; }
pass "the fullstack template's service answers over the bus and pushes every change"
