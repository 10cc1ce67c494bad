# tests/websocket/ws-lib.sh - the websocket frontend under `exo run`: an app with a Python
# service (echo) and a websocket frontend (web), node clients (wsclient.mjs, our own RFC 6455
# client) against it. Source it after setting FRONTEND_EXTRA (more keys of frontends.web).
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
export EXO_PYTHON_DIR=$EXO_TOP_SRCDIR/plugins/transport-zmq/python
NODE=$(command -v node) || { [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "required: node (nodejs)"; echo "SKIP: node"; exit 77; }
[ -f "$EXO_PLUGIN_PATH/frontend_websocket.so" ] ||
  { [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "required: the websocket plugin (libwebsockets-dev)"; echo "SKIP: no websocket plugin"; exit 77; }
WSDIR=$EXO_TOP_SRCDIR/tests/websocket

# make_ws_app: $T/app. echo answers echo.ask with its payload; echo.shout makes it push
# echo.pushed to everyone (a new activity) or, with {"user": U}, to U; echo.flood {n, size}
# answers n messages of size bytes in the request's activity (a stream); echo.ignore is
# received and never answered.
make_ws_app() {
  app=$T/app
  mkdir -p "$app/echo" "$app/web/public"
  cat > "$app/application.yml" <<YEOF
name: wstest
services:
  echo:
    location: ./echo
frontends:
  web:
    type: websocket
    sends: [echo.ask, echo.shout, echo.flood, echo.ignore]
    receives: [echo.answer, echo.pushed, echo.chunk]
    static: web/public
    depends-on: [echo]
${FRONTEND_EXTRA:-}
YEOF
  cat > "$app/echo/service.yml" <<'YEOF'
type: worker
startup:
  command: exec /usr/bin/python3 echo.py
  online-text: echo online
messages:
  receives: [echo.ask, echo.shout, echo.flood, echo.ignore]
  sends: [echo.answer, echo.pushed, echo.chunk]
YEOF
  cat > "$app/echo/echo.py" <<'PYEOF'
import exo_service
svc = exo_service.Service()

@svc.on("echo.ask")
def ask(msg):
    svc.reply(msg, "echo.answer", msg.payload)

@svc.on("echo.shout")
def shout(msg):
    user = (msg.payload or {}).get("user") if isinstance(msg.payload, dict) else None
    svc.send("echo.pushed", msg.payload, activity="push-%s" % svc._next_id(),
             auth={"user": user} if user else None)

@svc.on("echo.flood")
def flood(msg):
    p = msg.payload
    for i in range(p["n"]):
        svc.reply(msg, "echo.chunk", {"i": i, "fill": "x" * p["size"]})

@svc.on("echo.ignore")
def ignore(msg):
    pass

print("echo online", flush=True)
svc.run()
PYEOF
  echo '<h1>wstest</h1>' > "$app/web/public/index.html"
}

# start_app: exo run in the background; sets RUN_PID, RUN_OUT, PORT, URL (ws://.../exo).
start_app() {
  RUN_OUT=$T/run.out
  "$EXO_BIN" run --app "$app" > "$RUN_OUT" 2>&1 &
  RUN_PID=$!
  wait_for "$RUN_OUT" "all services ready" 60
  PORT=$(grep -oE 'web online at http://127\.0\.0\.1:[0-9]+' "$RUN_OUT" | head -1 | sed 's/.*://')
  [ -n "$PORT" ] || fail "no port for web: $(cat "$RUN_OUT")"
  URL=ws://127.0.0.1:$PORT/exo
}

# frontend_pid: the `exo frontend web` process of this run.
frontend_pid() {
  local p
  for p in $(marked_pids); do
    tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null | grep -q 'frontend web' && { echo "$p"; return; }
  done
}

# node_test SCRIPT ARGS...: run a node script of this directory with URL; fails with its output.
node_test() {
  local script=$1; shift
  "$NODE" "$WSDIR/$script" "$@" > "$T/$script.out" 2>&1 ||
    { cat "$T/$script.out" >&2; fail "$script failed"; }
  cat "$T/$script.out"
}

stop_app() {
  kill -TERM "$RUN_PID" 2>/dev/null
  wait_exit "$RUN_PID" 30
  [ "$RC" = 0 ] || { cat "$RUN_OUT" >&2; fail "exo run exited $RC"; }
}
