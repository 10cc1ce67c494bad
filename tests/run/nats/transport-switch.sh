#!/bin/bash
# exo run --transport nats: an app whose application.yml says nothing about its bus (zmq by
# default) runs on NATS for that run; bus.json records the transport, so exo send follows it;
# the next plain exo run is on zmq again.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
[ -e "$EXO_PLUGIN_PATH/transport_nats.so" ] && command -v nats-server >/dev/null || {
  [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "required: the nats transport and nats-server"
  echo "skip: the nats transport or nats-server is missing"; exit 77; }
app=$T/app
service "$app/echo" 'type: worker
description: answers ping with pong
startup:
  command: exec /usr/bin/python3 echo.py
  online-text: echo online
messages:
  receives: [ping]
  sends: [pong]'
cat > "$app/echo/echo.py" <<'PYEOF'
import exo_service
svc = exo_service.Service()
svc.on("ping", lambda m: svc.reply(m, "pong", {"echo": m.payload}))
svc.run()
PYEOF
printf 'name: sw\nservices:\n  echo:\n    location: ./echo\n  web:\n    location: ./web\n' > "$app/application.yml"
service "$app/web" 'type: worker
description: the sender exo send stands in for
startup:
  command: exec /usr/bin/python3 web.py
  online-text: web online
messages:
  sends: [ping]
  receives: [pong]'
cat > "$app/web/web.py" <<'PYEOF'
import exo_service
svc = exo_service.Service()
svc.on("pong", lambda m: None)
svc.run()
PYEOF
export EXO_PYTHON_DIR=$EXO_TOP_SRCDIR/plugins/transport-zmq/python

for transport in nats zmq; do
  opt=(); [ $transport = nats ] && opt=(--transport nats)
  "$EXO_BIN" run --app "$app" "${opt[@]}" > "$T/run-$transport" 2>&1 &
  pid=$!
  wait_for "$T/run-$transport" 'all services ready' 30
  if [ $transport = nats ]; then
    expect_line "$T/run-$transport" 'bus listening on nats://127\.0\.0\.1:[0-9]+'
    grep -q '"transport": "nats"' "$app/.exo/bus.json" || fail "bus.json: $(cat "$app/.exo/bus.json")"
  else
    expect_line "$T/run-$transport" 'bus listening on tcp://'
  fi
  "$EXO_BIN" send --app "$app" --as web ping '{"n": 1}' --wait > "$T/reply-$transport" 2>&1 ||
    fail "exo send on $transport: $(cat "$T/reply-$transport")"
  expect_line "$T/reply-$transport" '"name":"pong".*"payload":\{"echo":\{"n":1\}\}'
  kill -INT $pid
  wait_exit $pid 15
  [ "$RC" = 0 ] || { cat "$T/run-$transport"; fail "exo run on $transport exited $RC"; }
done
expect_nothing_left
pass "exo run --transport nats, then zmq again"
