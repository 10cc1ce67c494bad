# tests/dashboard/dash-lib.sh - the dashboard of `exo run` against a small app: a Python echo
# service (with a secret in its environment) and a client role that sends echo.ask; node
# clients (tests/websocket/wsclient.mjs) talk exo.v1 to the dashboard.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
export EXO_PYTHON_DIR=$EXO_TOP_SRCDIR/plugins/transport-zmq/python
NODE=$(command -v node) || { [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "required: node (nodejs)"; echo "SKIP: node"; exit 77; }
[ -f "$EXO_PLUGIN_PATH/frontend_websocket.so" ] ||
  { [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "required: the websocket plugin (libwebsockets-dev)"; echo "SKIP: no websocket plugin"; exit 77; }
DASHDIR=$EXO_TOP_SRCDIR/tests/dashboard
SECRET=s3cr3t-dash-value-42

# make_dash_app: $T/app. echo answers echo.ask with its payload; echo.leak answers with the
# secret of its environment; client may send echo.ask and echo.leak, never echo.forbidden;
# stubborn ignores SIGTERM (its stop lasts the app's shutdown-grace, 2 s).
make_dash_app() {
  app=$T/app
  mkdir -p "$app/echo" "$app/client" "$app/stubborn"
  # stubborn ignores SIGTERM: its stop takes the whole grace (2 s), then SIGKILL
  service "$app/stubborn" "type: worker
startup:
  command: trap '' TERM; echo stubborn online; while :; do sleep 0.2; done
  online-text: stubborn online"
  cat > "$app/application.yml" <<YEOF
name: dashtest
services:
  echo:
    location: ./echo
    env:
      ECHO_KEY: {secret: $SECRET}
  client:
    location: ./client
  stubborn:
    location: ./stubborn
shutdown-grace: 2s
YEOF
  service "$app/echo" 'type: worker
startup:
  command: exec /usr/bin/python3 echo.py
  online-text: echo online
messages:
  receives: [echo.ask, echo.leak]
  sends: [echo.answer]'
  cat > "$app/echo/echo.py" <<'PYEOF'
import os
import exo_service
svc = exo_service.Service()

@svc.on("echo.ask")
def ask(msg):
    svc.reply(msg, "echo.answer", msg.payload)

@svc.on("echo.leak")
def leak(msg):
    svc.reply(msg, "echo.answer", {"key": os.environ["ECHO_KEY"]})

print("echo online", flush=True)
svc.run()
PYEOF
  service "$app/client" 'type: worker
startup:
  command: exec /usr/bin/python3 client.py
  online-text: client online
messages:
  sends: [echo.ask, echo.leak]
  receives: [echo.answer]'
  cat > "$app/client/client.py" <<'PYEOF'
import exo_service
svc = exo_service.Service()

@svc.on("echo.answer")
def answer(msg):
    pass

print("client online", flush=True)
svc.run()
PYEOF
}

# start_app [ARGS...]: exo run in the background; sets RUN_PID, RUN_OUT and, with a
# dashboard, DASH_URL (http://127.0.0.1:PORT/TOKEN/) and DASH_PORT.
start_app() {
  RUN_OUT=$T/run.out
  "$EXO_BIN" run --app "$app" "$@" > "$RUN_OUT" 2>&1 &
  RUN_PID=$!
  wait_for "$RUN_OUT" "all services ready" 60
  case " $* " in *" --no-dashboard "*) ;; *) wait_for "$RUN_OUT" "dashboard at " 10 ;; esac
  DASH_URL=$(grep -oE 'dashboard at http://127\.0\.0\.1:[0-9]+/[0-9a-f]{32}/' "$RUN_OUT" | head -1 | sed 's/.* at //')
  DASH_PORT=$(echo "$DASH_URL" | sed -E 's|http://127\.0\.0\.1:([0-9]+)/.*|\1|')
}

# node_test SCRIPT ARGS...: run a node script of this directory; fails with its output.
node_test() {
  local script=$1; shift
  "$NODE" "$DASHDIR/$script" "$@" > "$T/$script.out" 2>&1 ||
    { cat "$T/$script.out" >&2; cat "$RUN_OUT" >&2; fail "$script failed"; }
  cat "$T/$script.out"
}

stop_app() {
  kill -TERM "$RUN_PID" 2>/dev/null
  wait_exit "$RUN_PID" 30
  [ "$RC" = 0 ] || { cat "$RUN_OUT" >&2; fail "exo run exited $RC"; }
}
