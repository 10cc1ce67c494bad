#!/bin/bash
# The postgres and redis resources on the docker backend, end to end through `exo run`: the
# servers run as containers of the app's network from images named as the plugins' defaults
# (postgres:15, redis:7), readiness and provisioning (database, user, migrations) go through
# the published port from the host, and a service container reaches both by resource name,
# writes, and after a stop and a second run reads the same data (the data directories are
# bind-mounted from .exo/resources/). No registry here: the images are a Debian minbase with
# postgresql-15 and redis-server (tests/support/debian-base.sh, cached), with an entrypoint
# that follows the stock postgres image's contract (POSTGRES_USER/PASSWORD/DB, PGDATA).
: "${EXO_TOP_SRCDIR:?run this through make check}"
: "${EXO_TEST_REQUIRE_ALL:=}"
. "$EXO_TOP_SRCDIR/tests/resources/common.sh"
. "$EXO_TOP_SRCDIR/tests/support/engines.sh"
. "$EXO_TOP_SRCDIR/tests/support/debian-base.sh"
res_have_plugin resource_postgres || res_skip "postgres plugin not built (libpq-dev)"
res_have_plugin resource_redis || res_skip "redis plugin not built (libhiredis-dev)"
res_have_plugin backend_docker || res_skip "docker backend plugin not built"
engines_require docker; r=$?
[ $r = 0 ] || exit $r
debian_base_require; r=$?
[ $r = 0 ] || exit $r
res_init e2e-ctr
trap 'engine_docker_stop; res_cleanup' EXIT

base=$(debian_base_tar postgresql-15 redis-server) || { echo "FAIL: Debian base image" >&2; exit 1; }
engine_docker_start "$WORK" || { echo "FAIL: dockerd did not start" >&2; exit 1; }

# postgres:15 from the base (the stock image's contract; tests/support/debian-base.sh).
engine_import_postgres docker postgres:15 "$base" ||
  { echo "FAIL: importing postgres:15" >&2; exit 1; }
# The stock redis image: redis-server in /data, default snapshots (saved on SIGTERM).
docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'WORKDIR /data' -c 'CMD ["redis-server", "--protected-mode", "no"]' "$base" redis:7 \
  >/dev/null || { echo "FAIL: importing redis:7" >&2; exit 1; }

A="$WORK/app"
# examples/visits itself, unchanged: the same app tests/resources/e2e.sh runs on processes.
cp -r "$EXO_TOP_SRCDIR/examples/visits" "$A"
chmod -R u+w "$A"
rm -rf "$A/.exo"
# Its store image starts FROM debian:bookworm-slim; here that is the local base (which has the
# postgres and redis clients), since nothing can be pulled.
docker import "$base" debian:bookworm-slim >/dev/null ||
  { echo "FAIL: importing debian:bookworm-slim" >&2; exit 1; }

start_app() { # start_app OUTFILE: exo run until all is ready (or it ended); sets APP_PID
  "$EXO_BIN" run --app "$A" --backend docker >"$1" 2>&1 &
  APP_PID=$!
  res_pids="$res_pids $APP_PID"
  local i
  for i in $(seq 1200); do
    grep -q -e 'all services ready' "$1" && break
    kill -0 "$APP_PID" 2>/dev/null || break
    sleep 0.1
  done
}
stop_app() { # stop_app: Ctrl-C; RC is exo's exit status
  kill -INT "$APP_PID" 2>/dev/null
  wait "$APP_PID"
  RC=$?
}
run_app() { start_app "$1"; stop_app; }

t0=$SECONDS
run_app "$WORK/run1"
cat "$WORK/run1"
check_eq "first exo run exits 0 after Ctrl-C" 0 "$RC"
check_contains "the service in a container reached both by name, wrote and read" \
  "rows=1 hits=1 (db at db:5432, cache at cache:6379)" "$(cat "$WORK/run1")"
check "db ready by a connection from the host" grep -qE 'db ready in [0-9]+ ms \(readiness check passed; its container ran after [0-9]+ ms\)' "$WORK/run1"
# Only the container listens on every address of its own network, on the image's port.
check "postgres ran as a container" grep -qE '^ *db \| .*listening on IPv4 address "0.0.0.0", port 5432' "$WORK/run1"
check "the cluster lives in the app's .exo" test -s "$A/.exo/resources/db/pgdata/PG_VERSION"
check_eq "no containers left after Ctrl-C" "" "$(docker ps -aq --filter label=exo.app=visits)"
run_app "$WORK/run2"
cat "$WORK/run2"
check_eq "second exo run exits 0 after Ctrl-C" 0 "$RC"
check_contains "data persists across two exo runs" "rows=2 hits=2" "$(cat "$WORK/run2")"
check_eq "no containers left after the second run" "" "$(docker ps -aq --filter label=exo.app=visits)"
echo "two runs on docker took $((SECONDS - t0)) s"

# A cache with a password: the server requires it, units get it in CACHE_URL, and the
# counter of the runs before carries over.
sed -i 's/^    type: redis$/    type: redis\n    password: true/' "$A/application.yml"
start_app "$WORK/run3"
cache=$(docker ps -q --filter label=exo.app=visits --filter label=exo.unit=cache)
check_contains "the cache refuses a client without the password" "NOAUTH" \
  "$(docker exec "$cache" redis-cli PING 2>&1)"
pw=$(cat "$A/.exo/resources/cache/password")
cmdlines=$(docker exec "$cache" sh -c 'cat /proc/[0-9]*/cmdline' 2>/dev/null | tr '\0' ' ')
check_contains "the server runs from the config file" "redis-server /data/redis.conf" "$cmdlines"
check "the password is on no command line" test -n "$pw" -a "${cmdlines#*"$pw"}" = "$cmdlines"
stop_app
cat "$WORK/run3"
check_eq "third exo run (cache with a password) exits 0 after Ctrl-C" 0 "$RC"
check_contains "the service authenticated through CACHE_URL; the data carried over" \
  "rows=3 hits=3" "$(cat "$WORK/run3")"
check_eq "no containers left after the third run" "" "$(docker ps -aq --filter label=exo.app=visits)"
res_finish
