#!/bin/bash
# End to end through `exo run` / `exo test` / `exo env`: examples/visits, an app with a
# postgres and a redis resource on the process backend. A service writes and reads through
# the variables; the data persists across runs and a server's death; exo test gets a fresh,
# empty database; exo env masks the passwords; an unknown resource type and a resource that
# cannot start stop the run before any service starts; exo clean --data --yes wipes the data.
: "${EXO_TOP_SRCDIR:?run this through make check}"
. "$EXO_TOP_SRCDIR/tests/resources/common.sh"
"$EXO_BIN" help run >/dev/null 2>&1 || { echo "SKIP: this exo has no 'run' command yet"; exit 77; }
res_have_plugin resource_postgres || res_skip "postgres plugin not built (libpq-dev)"
res_have_plugin resource_redis || res_skip "redis plugin not built (libhiredis-dev)"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || res_skip "package postgresql not installed"
command -v redis-server >/dev/null || res_skip "package redis-server not installed"
command -v psql >/dev/null && command -v redis-cli >/dev/null || res_skip "psql/redis-cli missing"
res_init e2e
A="$WORK/app"
# The example app itself (a copy, so the test never writes into the source tree).
cp -r "$EXO_TOP_SRCDIR/examples/visits" "$A"
chmod -R u+w "$A"
rm -rf "$A/.exo"

# exo run in the background until it says the app is up (or failed), then Ctrl-C.
run_app() { # run_app OUTFILE
  "$EXO_BIN" run --app "$A" >"$1" 2>&1 &
  local pid=$! i
  res_pids="$res_pids $pid"
  for i in $(seq 300); do
    grep -q -e 'all services ready' "$1" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -INT "$pid" 2>/dev/null
  wait "$pid"
  RC=$?
}

run_app "$WORK/run1"
check_eq "first exo run exits 0 after Ctrl-C" 0 "$RC"
check_contains "service wrote and read both resources" "rows=1 hits=1" "$(cat "$WORK/run1")"
run_app "$WORK/run2"
check_contains "data persists across two exo runs" "rows=2 hits=2" "$(cat "$WORK/run2")"

env_out=$("$EXO_BIN" env --app "$A" store 2>&1)
check_contains "exo env shows the database variables" "DB_DATABASE=shop" "$env_out"
case "$env_out" in
  *"$(cat "$A/.exo/resources/db/password")"*) not_ok "exo env shows the postgres password" ;;
  *) ok "exo env masks the postgres password" ;;
esac
check_contains "password marked secret" "secret" "$(grep '^DB_PASSWORD=' <<<"$env_out")"

"$EXO_BIN" test --app "$A" >"$WORK/test" 2>&1
check_eq "exo test sees a fresh, empty (migrated) database" 0 "$?"
run_app "$WORK/run3"
check_contains "exo test left the dev data alone" "rows=3 hits=3" "$(cat "$WORK/run3")"

# A role that asks for the dev data (test-data: dev) is tested against it instead.
cp "$A/store/service.yml" "$WORK/service.yml.orig"
grep -v '^test:' "$WORK/service.yml.orig" >"$A/store/service.yml"
echo "test: psql \"\$DB_URL\" -tAc 'SELECT count(*) FROM visits' | sed 's/^/count=/'" >>"$A/store/service.yml"
cp "$A/application.yml" "$WORK/application.yml.orig"
sed -i 's/^    resources: \[db, cache\]$/&\n    test-data: dev/' "$A/application.yml"
"$EXO_BIN" test --app "$A" >"$WORK/test-dev" 2>&1
check_eq "exo test with test-data: dev passes" 0 "$?"
check_contains "test-data: dev sees the dev rows" "count=3" "$(cat "$WORK/test-dev")"
cp "$WORK/application.yml.orig" "$A/application.yml"
"$EXO_BIN" test --app "$A" >"$WORK/test-fresh" 2>&1
check_contains "without it the same test sees an empty table" "count=0" "$(cat "$WORK/test-fresh")"
cp "$WORK/service.yml.orig" "$A/store/service.yml"

# A resource server that dies during a run is reported, restarted, and the services that use
# it are told in the log; the data is still there afterwards.
"$EXO_BIN" run --app "$A" >"$WORK/die" 2>&1 &
pid=$!
res_pids="$res_pids $pid"
for i in $(seq 300); do
  grep -q 'all services ready' "$WORK/die" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
rport=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$A/.exo/resources/cache/redis.conf")
rpid=$(pgrep -f "redis-server .*:$rport" | head -1)
check "found the running redis server" test -n "$rpid"
kill -KILL "$rpid" 2>/dev/null
for i in $(seq 100); do
  [ "$(grep -c 'cache ready in' "$WORK/die")" -ge 2 ] && break
  sleep 0.1
done
kill -INT "$pid" 2>/dev/null
wait "$pid"
check_eq "exo run still stops cleanly after a resource restart" 0 "$?"
check_contains "the server's death is reported" "cache exited" "$(cat "$WORK/die")"
check_contains "the services using it are told" "cache went away under store" "$(cat "$WORK/die")"
check_eq "the server was restarted and ready again" 2 "$(grep -c 'cache ready in' "$WORK/die")"
run_app "$WORK/after-die"
check_contains "the data survived the server's death" "rows=5 hits=5" "$(cat "$WORK/after-die")"

# A resource that cannot start: the server's words, and no service starts.
mv "$A/.exo/resources/db/pgdata/global/pg_control" "$WORK/pg_control"
run_app "$WORK/bad"
check "a failed resource fails the run" test "$RC" -ne 0
check_contains "reported with the server's error" "pg_control" "$(cat "$WORK/bad")"
case "$(cat "$WORK/bad")" in *rows=*) not_ok "store must not start" ;; *) ok "store not started" ;; esac
mv "$WORK/pg_control" "$A/.exo/resources/db/pgdata/global/pg_control"

# A failing migration stops the run before the service starts, naming the file.
echo 'SELEC broken;' >"$A/db/migrations/002_bad.sql"
run_app "$WORK/mig"
check "a failing migration fails the run" test "$RC" -ne 0
check_contains "names the file, line and the server's error" \
  'db/migrations/002_bad.sql:1:1: migration failed: ERROR: syntax error at or near "SELEC"' \
  "$(cat "$WORK/mig")"
case "$(cat "$WORK/mig")" in *rows=*) not_ok "store must not start" ;; *) ok "store not started" ;; esac
rm "$A/db/migrations/002_bad.sql"

# Unknown resource type: FILE:LINE:COLUMN, and the installed types.
sed -i 's/type: redis/type: rediss/' "$A/application.yml"
out=$("$EXO_BIN" run --app "$A" 2>&1)
check_eq "unknown resource type fails" 1 "$?"
check_contains "points at the manifest" "application.yml:12:" "$out"
check_contains "names the unknown type" "rediss" "$out"
check_contains "names the installed types" "postgres" "$out"
sed -i 's/type: rediss/type: redis/' "$A/application.yml"

if "$EXO_BIN" clean --help 2>&1 | grep -q -- '--data'; then
  "$EXO_BIN" clean --app "$A" --data --yes >/dev/null 2>&1
  check_eq "exo clean --data --yes succeeds" 0 "$?"
  check "the data is gone" test ! -e "$A/.exo/resources/db/pgdata"
  run_app "$WORK/run4"
  check_contains "next run starts empty" "rows=1 hits=1" "$(cat "$WORK/run4")"
else
  echo "note: this exo's clean has no --data yet"
fi

check "no server left running" test -z "$(pgrep -f "$WORK" || true)"
res_finish
