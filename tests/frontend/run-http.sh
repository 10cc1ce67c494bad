#!/bin/bash
# tests/frontend/run-http.sh - the http frontend (plugins/frontend-http) as a unit of exo run,
# end to end with curl, the real broker and a real service: the URL printed, the pinned port
# serving a static page and a POST answered by the service, exo env showing the port, and the
# frontend restarted when killed, serving again on the same port.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/frontend/lib.sh"
export EXO_PYTHON_DIR=$EXO_TOP_SRCDIR/plugins/transport-zmq/python

if [ ! -f "${EXO_PLUGIN_PATH%%:*}/frontend_http.so" ]; then
    [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "the http frontend is not built (configure --with-frontends needs libwebsockets-dev)"
    echo "SKIP: the http frontend is not built"
    exit 77
fi
command -v curl >/dev/null || fail "curl is not installed"

P=$(free_port)
A=$T/app
mkdir -p "$A/site"
cat >"$A/application.yml" <<EOF
name: fehttp
services:
  todos: {location: todos}
frontends:
  web:
    type: http
    public: $P
    sends: [todo.create]
    receives: [todo.created]
    static: site
EOF
echo '<h1>todos</h1>' >"$A/site/index.html"
todo_service "$A/todos"

(cd "$A" && exec "$EXO_BIN" run) >"$T/run.out" 2>&1 &
RUN=$!
wait_for "$T/run.out" 'all services ready \(1 service, 1 frontend\)' 30
expect_line "$T/run.out" "web public at http://127\.0\.0\.1:$P\$"
expect_line "$T/run.out" "web \| web online at http://127\.0\.0\.1:$P"

curl -sS "http://127.0.0.1:$P/" >"$T/page" || fail "GET /"
expect_line "$T/page" '<h1>todos</h1>'
curl -sS -X POST -H 'Content-Type: application/json' -d '{"title": "milk"}' \
    -w '\n%{http_code}\n' "http://127.0.0.1:$P/api/todo.create" >"$T/post" || fail "POST"
expect_line "$T/post" '"title": ?"milk"'
expect_line "$T/post" '^200$'
pass "exo run serves the http frontend at its pinned, printed URL"

(cd "$A" && "$EXO_BIN" env web) >"$T/env"
expect_line "$T/env" "^EXO_FRONTEND_LISTEN=127\.0\.0\.1:$P "
pass "exo env shows its port"

kill_frontend "$RUN" web "$T/run.out"
curl -sS -X POST -d '{"title": "again"}' "http://127.0.0.1:$P/api/todo.create" >"$T/post" ||
    fail "POST after the restart"
expect_line "$T/post" '"title": ?"again"'
pass "killed, the http frontend is restarted on the same port"

kill -TERM "$RUN"
wait_exit "$RUN" 15
[ "$RC" = 0 ] || fail "exo run: exit $RC after SIGTERM"
expect_nothing_left
pass "stopped with the run"
