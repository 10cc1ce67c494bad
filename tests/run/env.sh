# exo env and the environment services get: exo's variables, endpoints of other services,
# manifest env in the documented precedence, secrets masked, origins shown.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
A=$T/app
mkdir -p "$A"
cat > "$A/application.yml" <<'YML'
name: env-test
shutdown-grace: 1s
env:
  LAYER: app-wide
  APP_ONLY: a
  TOKEN: {secret: s3cr3t-value}
services:
  api-server:
    location: ./api
  client:
    location: ./client
    env:
      LAYER: app-role
YML
service "$A/api" "startup:
  command: exec $PY -m http.server \$PORT --bind 127.0.0.1
port: 9000
env:
  LAYER: service-yml"
service "$A/client" "startup:
  command: echo \"LAYER=\$LAYER API=\$API_SERVER_URL HOST=\$API_SERVER_HOST ROLE=\$EXO_ROLE APP=\$EXO_APP TOKEN=\$TOKEN PORT=\${PORT:-none}\"; [ \"\$TOKEN\" = s3cr3t-value ] && echo token received; exec sleep 600
env:
  LAYER: service-yml"

"$EXO_BIN" env --app "$A" client > "$T/env" 2>&1 || { cat "$T/env"; fail "exo env failed"; }
cat "$T/env"
expect_line "$T/env" '^EXO_ROLE=client +# exo$'
expect_line "$T/env" '^EXO_APP=env-test +# exo$'
expect_line "$T/env" '^API_SERVER_URL=http://127\.0\.0\.1:[0-9]+ +# exo \(service api-server\)$'
expect_line "$T/env" '^API_SERVER_PORT=[0-9]+ '
expect_line "$T/env" '^API_SERVER_HOST=127\.0\.0\.1 '
expect_line "$T/env" '^TOKEN=\*\*\*\*\*\* +# application\.yml env, secret$'
expect_no_line "$T/env" 's3cr3t-value'
expect_line "$T/env" '^LAYER=app-role +# application\.yml services\.client\.env$'
expect_no_line "$T/env" '^PORT='
expect_line "$T/env" 'inherited from exo.s environment'
# the layers in order: each LAYER line is shown once, the winner last
"$EXO_BIN" env --app "$A" api-server > "$T/env2"
expect_line "$T/env2" '^LAYER=service-yml +# service\.yml env$'
expect_line "$T/env2" '^PORT=[0-9]+ +# exo$'
expect_no_line "$T/env2" '^API_SERVER_'
"$EXO_BIN" env --app "$A" --all client | grep -q '^RUNTEST_MARK=' || fail "--all hides inherited"
"$EXO_BIN" env --app "$A" --setup client | grep -q '^EXO_CFLAGS=' || fail "--setup lacks EXO_CFLAGS"
"$EXO_BIN" env --app "$A" nope > "$T/err" 2>&1 && fail "exo env accepted an unknown role"
expect_line "$T/err" "has no role 'nope'"
pass "exo env"

# The running service gets the same values.
"$EXO_BIN" run --app "$A" > "$T/out" 2>&1 &
EXO=$!
wait_for "$T/out" 'all services ready' 10
kill -INT $EXO
wait_exit $EXO 10
cat "$T/out"
port=$(sed -n 's/.*api-server ready.*//p' "$T/out")
expect_line "$T/out" 'client \| LAYER=app-role API=http://127\.0\.0\.1:[0-9]+ HOST=127\.0\.0\.1 ROLE=client APP=env-test TOKEN=\*\*\*\*\*\* PORT=none$'
expect_no_line "$T/out" 's3cr3t-value'
expect_line "$T/out" 'client \| token received'
# The URL points at the port api-server really listens on.
url=$(sed -n 's/.*API=\(http:[^ ]*\).*/\1/p' "$T/out")
expect_line "$T/out" "api-server \\| Serving HTTP on 127\\.0\\.0\\.1 port ${url##*:} "
expect_nothing_left
pass "services get the environment exo env shows"
