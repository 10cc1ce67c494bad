# Resources: created, prepared and started before the services that use them, ready only when
# their check passes, provisioned, their variables prefixed with the resource name; stopped
# after those services.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
export EXO_PLUGIN_PATH=$EXO_PLUGIN_PATH:$EXO_TOP_BUILDDIR/tests/run/fixtures/.libs
A=$T/app
mkdir -p "$A"
cat > "$A/application.yml" <<'YML'
name: resource-test
shutdown-grace: 2s
resources:
  db:
    type: testres
services:
  api:
    location: ./api
    resources: [db]
  other:
    location: ./other
YML
service "$A/api" "startup:
  command: trap 'echo api stopping; exit 0' TERM; $PY -c \"import os, urllib.request; urllib.request.urlopen(os.environ['DB_URL']); print('reached db with', os.environ['DB_PASSWORD'])\"; while :; do sleep 0.1; done
  online-text: reached db"
service "$A/other" "startup:
  command: echo \"other has DB_URL=\${DB_URL:-none}\"; exec sleep 600"

"$EXO_BIN" env --app "$A" api > "$T/env" 2>&1 || { cat "$T/env"; fail "exo env"; }
cat "$T/env"
expect_line "$T/env" '^DB_URL=http://127\.0\.0\.1:[0-9]+/ +# resource db$'
expect_line "$T/env" '^DB_PASSWORD=\*\*\*\*\*\* +# resource db, secret$'

"$EXO_BIN" run --app "$A" > "$T/out" 2>&1 &
EXO=$!
wait_for "$T/out" 'all services ready' 20
kill -INT $EXO
wait_exit $EXO 15
cat "$T/out"
[ "$RC" = 0 ] || fail "exo run exited $RC"
expect_line "$T/out" 'db ready in [0-9]+ ms \(readiness check passed\)'
expect_line "$T/out" 'api \| reached db with \*\*\*\*\*\*$'
expect_no_line "$T/out" 'hunter2'
expect_no_line "$A/.exo/logs/api.log" 'hunter2'
expect_line "$T/out" 'other \| other has DB_URL=none'
[ "$(line_no "$T/out" 'db ready')" -lt "$(line_no "$T/out" 'api \| reached db')" ] ||
  fail "api started before db was ready"
[ "$(line_no "$T/out" 'api \| api stopping')" -lt "$(line_no "$T/out" 'db \| db stopping')" ] ||
  fail "db stopped before the service using it"
[ -e "$A/.exo/resources/db/prepared" ] && [ -e "$A/.exo/resources/db/provisioned" ] ||
  fail "prepare/provision did not run"
expect_no_line "$A/.exo/logs/exo.log" 'hunter2'
expect_nothing_left
pass "resources before and after their services, env prefix, secrets"

# exo clean --data deletes resource data, but only when confirmed.
"$EXO_BIN" clean --app "$A" --data < /dev/null > "$T/c1" 2>&1 && fail "clean --data without --yes went ahead"
expect_line "$T/c1" 'add --yes to confirm'
[ -e "$A/.exo/resources/db/provisioned" ] || fail "data deleted without confirmation"
"$EXO_BIN" clean --app "$A" > "$T/c2" 2>&1 || fail "exo clean failed"
[ -e "$A/.exo/resources/db/provisioned" ] || fail "plain exo clean deleted resource data"
"$EXO_BIN" clean --app "$A" --data --yes > "$T/c3" 2>&1 || { cat "$T/c3"; fail "clean --data --yes failed"; }
expect_line "$T/c3" 'deleted the data of resource db'
[ ! -e "$A/.exo/resources" ] || fail "resource data left after clean --data --yes"
pass "exo clean --data"
