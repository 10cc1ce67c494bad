#!/bin/bash
# tests/frontend/run.sh - frontends as units of exo run and exo test, with the real broker, a
# real service and the test-only lines frontend (tests/frontend/fixtures/lines.c): the pinned
# port and a port exo picked, their URLs said and in .exo/run.json, a client's message to the
# service and back, exo env and exo bus status, a killed frontend restarted, a pinned port in
# use stopping the run before anything starts, exo test starting a frontend a test needs, and
# exo generate compose writing the frontends as services of the bus image.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/frontend/lib.sh"
export EXO_PLUGIN_PATH=$EXO_PLUGIN_PATH:$EXO_TOP_BUILDDIR/tests/frontend/fixtures/.libs
export EXO_PYTHON_DIR=$EXO_TOP_SRCDIR/plugins/transport-zmq/python

P=$(free_port)

A=$T/app
mkdir -p "$A"
cat >"$A/application.yml" <<EOF
name: ferun
services:
  todos:
    location: todos
    needs: [web]
frontends:
  web:
    type: lines
    public: $P
    sends: [todo.create]
    receives: [todo.created]
    depends-on: [todos]
  api:
    type: lines
    sends: [todo.create]
    request-timeout: 500ms
EOF
todo_service "$A/todos" "test: $PY -u test.py"
# A client of a lines frontend: sends its arguments as lines, prints the answers.
cat >"$A/todos/client.py" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
for line in sys.argv[2:]:
    s.sendall(line.encode() + b"\n")
got, end = b"", time.time() + 5
while got.count(b"\n") < len(sys.argv) and time.time() < end:
    chunk = s.recv(4096)
    if not chunk:
        break
    got += chunk
sys.stdout.write(got.decode())
EOF
# The service's test reaches the frontend it needs at WEB_PORT, like any role with a port.
cat >"$A/todos/test.py" <<'EOF'
import os, subprocess, sys
out = subprocess.run([sys.executable, "client.py", os.environ["WEB_PORT"],
                      'todo.create {"title": "from the test"}'], capture_output=True, text=True).stdout
print(out)
sys.exit(0 if 'msg r1 todo.created {"title": "from the test"}' in out.replace('":"', '": "') else 1)
EOF
client() { (cd "$A/todos" && $PY client.py "$@"); }

(cd "$A" && exec "$EXO_BIN" run) >"$T/run.out" 2>&1 &
RUN=$!
wait_for "$T/run.out" 'all services ready \(1 service, 2 frontends\)' 30
expect_line "$T/run.out" "web public at http://127\.0\.0\.1:$P\$"
expect_line "$T/run.out" "api at http://127\.0\.0\.1:[0-9]+ \(a port picked for this run; frontends\.api\.public pins one\)"
expect_line "$T/run.out" "web \| web online at tcp://127\.0\.0\.1:$P\$"
# web depends on todos: it starts after todos is ready.
[ "$(line_no "$T/run.out" 'todos ready')" -lt "$(line_no "$T/run.out" 'web ready')" ] ||
    fail "web started before todos was ready"
Q=$(sed -nE 's/.*api at http:\/\/127\.0\.0\.1:([0-9]+) .*/\1/p' "$T/run.out")
$PY - "$A/.exo/run.json" "$P" "$Q" <<'EOF' || fail "run.json endpoints"
import json, sys
eps = {e["role"]: e for e in json.load(open(sys.argv[1]))["endpoints"]}
assert eps["web"] == {"role": "web", "url": "http://127.0.0.1:" + sys.argv[2], "port": int(sys.argv[2]),
                      "bind": "127.0.0.1", "frontend": "lines"}, eps
assert eps["api"]["port"] == int(sys.argv[3]) and eps["api"]["frontend"] == "lines", eps
EOF
pass "exo run: the pinned and the picked port, said and recorded"

client "$P" 'todo.create {"title": "milk"}' >"$T/c"
expect_line "$T/c" '^msg r1 todo\.created \{"title": ?"milk"\}$'
client "$Q" 'todo.create {"title": "bread"}' >"$T/c2"
# api does not receive todo.created: the reply cannot reach it, its request times out.
expect_line "$T/c2" '^err r1 timeout '
pass "a client's message reaches the service and the reply the client"

(cd "$A" && "$EXO_BIN" env web) >"$T/env"
expect_line "$T/env" "^EXO_FRONTEND_LISTEN=127\.0\.0\.1:$P "
expect_line "$T/env" "^PORT=$P "
expect_line "$T/env" "^# web is public at http://127\.0\.0\.1:$P \(application\.yml frontends\.web\.public\)"
(cd "$A" && "$EXO_BIN" env api) >"$T/env2"
expect_line "$T/env2" "^# api listens on a port exo picks in each run; frontends\.api\.public pins one"
(cd "$A" && "$EXO_BIN" bus status) >"$T/status"
expect_line "$T/status" '^web +1 '
expect_line "$T/status" '^api +1 '
expect_line "$T/status" '^web +todo\.create +todos '
pass "exo env shows the port; exo bus status shows the frontends as roles"

# Killed: restarted as any unit, and it serves again on the same port.
kill_frontend "$RUN" web "$T/run.out"
client "$P" 'todo.create {"title": "again"}' >"$T/c"
expect_line "$T/c" '^msg r1 todo\.created \{"title": ?"again"\}$'
pass "a killed frontend is restarted and serves again"

kill -TERM "$RUN"
wait_exit "$RUN" 15
[ "$RC" = 0 ] || fail "exo run: exit $RC after SIGTERM"
expect_nothing_left
pass "exo run stops its frontends"

# A pinned port someone holds: the run stops before anything starts, naming the key.
$PY -u -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen(); print("holding"); time.sleep(60)' "$P" >"$T/holder" &
HOLDER=$!
wait_for "$T/holder" holding
(cd "$A" && "$EXO_BIN" run) >"$T/run2.out" 2>&1
[ $? = 1 ] || fail "port in use: exo run did not fail"
expect_line "$T/run2.out" "web failed: port $P on 127\.0\.0\.1 is in use by python.*\(application\.yml frontends\.web\.public\)"
expect_no_line "$T/run2.out" 'todos ready'
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null
expect_nothing_left
pass "a pinned frontend port in use stops exo run before anything starts"

# Frontends run on the process backend whatever runs the services: with --backend journal
# (tests/run/fixtures/journal.c, which runs nothing and notes each start) the service goes to
# journal and the frontend still runs, as a process.
B=$T/other
mkdir -p "$B"
cat >"$B/application.yml" <<EOF
name: feother
services:
  todos: {location: todos, ready: started, ready-settle: 0}
frontends:
  web: {type: lines, sends: [todo.create]}
EOF
service "$B/todos" 'startup: {command: ./never-run}'
(cd "$B" && EXO_PLUGIN_PATH=$EXO_PLUGIN_PATH:$EXO_TOP_BUILDDIR/tests/run/fixtures/.libs \
    exec "$EXO_BIN" run --backend journal) >"$T/run3.out" 2>&1 &
RUN=$!
wait_for "$T/run3.out" 'all services ready \(1 service, 1 frontend\)' 30
expect_line "$T/run3.out" 'web \| web online at tcp://127\.0\.0\.1:'
expect_line "$B/.exo/journal" '^start todos service$'
expect_no_line "$B/.exo/journal" 'web'
kill -TERM "$RUN"
wait_exit "$RUN" 15
expect_nothing_left
pass "a frontend runs on the process backend whatever runs the services"

# --watch restarts services on a change in their directory, never a frontend (whose
# directory is the app's): a change at the app's top restarts nothing.
(cd "$A" && exec "$EXO_BIN" run --watch) >"$T/run4.out" 2>&1 &
RUN=$!
wait_for "$T/run4.out" 'all services ready' 30
echo change >"$A/notes.txt"
echo "# change" >>"$A/todos/svc.py"
wait_for "$T/run4.out" 'todos ready in' 10
for _ in $(seq 200); do [ "$(grep -c 'todos ready in' "$T/run4.out")" = 2 ] && break; sleep 0.05; done
[ "$(grep -c 'todos ready in' "$T/run4.out")" = 2 ] || { cat "$T/run4.out"; fail "todos not restarted by --watch"; }
expect_no_line "$T/run4.out" '(web|api) (changed|restarting)'
[ "$(grep -c 'web ready in' "$T/run4.out")" = 1 ] || { cat "$T/run4.out"; fail "--watch restarted web"; }
kill -TERM "$RUN"
wait_exit "$RUN" 15
expect_nothing_left
pass "--watch restarts the services, not the frontends"

# exo test: the test of todos needs web, which exo test starts (with todos, its dependency).
(cd "$A" && "$EXO_BIN" test) >"$T/test.out" 2>&1 || { cat "$T/test.out"; fail "exo test"; }
expect_line "$T/test.out" 'web ready'
expect_line "$T/test.out" 'todos +tests passed'
expect_no_line "$T/test.out" 'api ready'
expect_nothing_left
(cd "$A" && "$EXO_BIN" test web) >"$T/test2.out" 2>&1 || { cat "$T/test2.out"; fail "exo test web"; }
expect_line "$T/test2.out" 'web is a frontend: it has no setup or tests of its own'
expect_nothing_left
pass "exo test starts a frontend a test needs; a frontend has no tests of its own"

# exo generate compose runs each frontend as `exo frontend ROLE` (docs/generate.md).
printf 'FROM debian:12\n' >"$A/todos/Dockerfile"
(cd "$A" && "$EXO_BIN" generate compose) >"$T/gen.out" 2>&1 || { cat "$T/gen.out"; fail "generate"; }
F=$A/deploy/compose/compose.yaml
[ -f "$F" ] || F=$(ls "$A"/deploy/compose/*.y*ml | head -1)
expect_line "$F" '^  todos:'
expect_line "$F" '^  web:'
expect_line "$F" '^  api:'
expect_line "$F" '^      - "frontend"$'
pass "exo generate compose writes the frontends"
