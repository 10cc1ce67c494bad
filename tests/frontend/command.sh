#!/bin/bash
# tests/frontend/command.sh - `exo frontend ROLE` by hand against a real broker (exo bus) and
# a real service: it joins as the role with the run's user token, says "ROLE online at URL",
# carries a client's message to the service and the reply back; stops cleanly on SIGTERM and
# SIGINT; exits 1 with a clear message for a bad listen address, a port in use, a role that
# is no frontend and a type no plugin has. Hidden from exo help. Plugin: the test-only lines
# frontend (tests/frontend/fixtures/lines.c).
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/frontend/lib.sh"
export EXO_PLUGIN_PATH=$EXO_PLUGIN_PATH:$EXO_TOP_BUILDDIR/tests/frontend/fixtures/.libs
export PYTHONPATH=$EXO_TOP_SRCDIR/plugins/transport-zmq/python

A=$T/app
mkdir -p "$A"
cat >"$A/application.yml" <<'EOF'
name: fecmd
services:
  todos: {location: todos}
frontends:
  web:
    type: lines
    sends: [todo.create]
    receives: [todo.created]
    greeting: hi there
  other:
    type: nosuch
EOF
todo_service "$A/todos"

# client PORT LINE...: send the lines to the lines frontend, print what comes back in 2 s.
client() {
    $PY - "$@" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
for line in sys.argv[2:]:
    s.sendall(line.encode() + b"\n")
want = len(sys.argv) - 2 + 2   # hello, auth, one line per message
got = b""
end = time.time() + 5
while got.count(b"\n") < want and time.time() < end:
    try:
        chunk = s.recv(4096)
    except socket.timeout:
        break
    if not chunk:
        break
    got += chunk
sys.stdout.write(got.decode())
EOF
}

# Hidden from exo help, but has its own --help.
"$EXO_BIN" help >"$T/help"
expect_no_line "$T/help" frontend
"$EXO_BIN" frontend --help >"$T/fhelp" || fail "exo frontend --help"
expect_line "$T/fhelp" '^Usage: exo frontend .*ROLE'
pass "exo frontend is hidden from exo help"

# No broker yet: says how to start one.
PORT=$(free_port)
(cd "$A" && EXO_FRONTEND_LISTEN=127.0.0.1:$PORT "$EXO_BIN" frontend web) >"$T/o" 2>"$T/e"
[ $? = 1 ] || fail "no bus: exit status"
expect_line "$T/e" "no exo run or exo bus is running for app fecmd"

(cd "$A" && "$EXO_BIN" bus --quiet) >"$T/bus.out" 2>&1 &
BUS=$!
for _ in $(seq 100); do [ -f "$A/.exo/bus.json" ] && break; sleep 0.05; done
[ -f "$A/.exo/bus.json" ] || fail "exo bus did not start"
(cd "$A/todos" && EXO_ROLE=todos EXO_BUS_ENDPOINT=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["endpoint"])' "$A/.exo/bus.json") \
    EXO_BUS_TOKEN=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$A/.exo/bus.json") \
    $PY -u svc.py) >"$T/svc.out" 2>&1 &
SVC=$!
wait_for "$T/svc.out" 'todos online'

# Bad input: each exits 1 naming the problem.
bad() { # EXPECTED-REGEX LISTEN ROLE
    (cd "$A" && EXO_FRONTEND_LISTEN=$2 "$EXO_BIN" frontend "$3") >"$T/o" 2>"$T/e"
    local rc=$?
    [ $rc = 1 ] || { cat "$T/e"; fail "$3 on '$2': exit $rc, not 1"; }
    expect_line "$T/e" "$1"
}
bad "EXO_FRONTEND_LISTEN='localhost:x' is not where to listen: write HOST:PORT" localhost:x web
bad "EXO_FRONTEND_LISTEN='127.0.0.1:70000' is not where" 127.0.0.1:70000 web
bad "EXO_FRONTEND_LISTEN is not set and frontends.web has no public port" "" web
bad "app fecmd has no frontend 'todos': it is a service \(its frontends: web, other\)" 127.0.0.1:$PORT todos
bad "frontends.other: no working frontend plugin 'nosuch' \(frontend plugins found: ([a-z]+, )*lines(, [a-z]+)*\)" 127.0.0.1:$PORT other
$PY -u -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen(); print("holding"); time.sleep(30)' "$PORT" >"$T/holder" &
HOLDER=$!
wait_for "$T/holder" holding
bad "frontend web cannot listen on 127.0.0.1:$PORT: port $PORT on 127.0.0.1 is in use by python" 127.0.0.1:$PORT web
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null
expect_no_line "$T/o" "online"
pass "bad listen addresses, a port in use, no such frontend, no such plugin: exit 1, said"

# By hand: joins with the run's user token, says it is online, carries messages both ways.
(cd "$A" && EXO_FRONTEND_LISTEN=127.0.0.1:$PORT exec "$EXO_BIN" frontend web) >"$T/fe.out" 2>"$T/fe.err" &
FE=$!
wait_for "$T/fe.out" "^web online at tcp://127\.0\.0\.1:$PORT$"
client "$PORT" 'todo.create {"title": "milk"}' 'todo.drop {}' >"$T/c"
expect_line "$T/c" '^hello hi there$'
expect_line "$T/c" '^auth -$'
expect_line "$T/c" '^msg r1 todo\.created \{"title": ?"milk"\}$'
expect_line "$T/c" "^err r2 denied role 'web' does not declare 'todo\.drop' in its sends \(a service's messages\.sends, a frontend's frontends\.web\.sends\)"
pass "exo frontend by hand: online, a request and its reply, a denied message"

# SIGTERM: exits 0, the role leaves the bus.
kill -TERM "$FE"
wait_exit "$FE" 5
[ "$RC" = 0 ] || { cat "$T/fe.err"; fail "SIGTERM: exit $RC"; }
(cd "$A" && EXO_FRONTEND_LISTEN=127.0.0.1:$PORT exec "$EXO_BIN" frontend web) >"$T/fe.out" 2>"$T/fe.err" &
FE=$!
wait_for "$T/fe.out" "^web online"   # the port is free again at once
kill -INT "$FE"
wait_exit "$FE" 5
[ "$RC" = 0 ] || { cat "$T/fe.err"; fail "SIGINT: exit $RC"; }
pass "SIGTERM and SIGINT stop it with status 0 and free its port"

kill "$SVC" "$BUS"
wait "$SVC" "$BUS" 2>/dev/null
expect_nothing_left
