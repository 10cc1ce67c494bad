#!/bin/bash
# The postgres resource fails with the server's own words: port already taken, server programs
# missing, corrupt data directory. No service starts and no server is left behind.
: "${EXO_TOP_SRCDIR:?run this through make check}"
. "$EXO_TOP_SRCDIR/tests/resources/common.sh"
res_have_plugin resource_postgres || res_skip "postgres plugin not built (libpq-dev)"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || res_skip "package postgresql not installed"
res_init pgfail
APP="$WORK/app"
mkdir -p "$APP"

# 1. Port taken: the second server of two on one port fails with PostgreSQL's bind error.
port=$(res_free_port)
err=$("$RESHOST" --app-dir "$APP" --resource a:postgres:"$port" --resource b:postgres:"$port" \
  run echo service-started 2>&1)
rc=$?
check_eq "port taken fails the run" 3 "$rc"
check_contains "names the resource" "resource b:" "$err"
check_contains "server's own error text" "Address already in use" "$err"
check_contains "server's FATAL line" "could not create any TCP/IP sockets" "$err"
case "$err" in *service-started*) not_ok "no service after a failed resource" ;; *) ok "no service started" ;; esac

# 2. Server programs missing: a clear error naming the package.
err=$(EXO_POSTGRES_ROOT="$WORK/none" PATH=/usr/bin:/bin "$RESHOST" --app-dir "$APP" \
  --resource c:postgres run echo service-started 2>&1)
rc=$?
check_eq "missing server fails the run" 3 "$rc"
check_contains "names the package" "install the Debian package postgresql" "$err"
check_contains "says where it looked" "$WORK/none/*/bin" "$err"

# 3. A major version that is not installed.
err=$("$RESHOST" --app-dir "$APP" --resource v:postgres --config 'v={"version":99}' run true 2>&1)
check_eq "missing major version fails the run" 3 "$?"
check_contains "names the version's package" "install the Debian package postgresql-99" "$err"

# 4. Corrupt data directory: the server refuses and says why.
"$RESHOST" --app-dir "$APP" --resource d:postgres run true 2>/dev/null
check "a first start made the cluster" test -f "$APP/.exo/resources/d/pgdata/global/pg_control"
rm -f "$APP/.exo/resources/d/pgdata/global/pg_control"
err=$("$RESHOST" --app-dir "$APP" --timeout-ms 15000 --resource d:postgres run echo service-started 2>&1)
rc=$?
check_eq "corrupt data directory fails the run" 3 "$rc"
check_contains "server's own error text" "pg_control" "$err"
check_contains "points at the log" "server.log" "$err"
case "$err" in *"not ready in time"*) not_ok "reported before the timeout" ;; *) ok "reported before the timeout" ;; esac

# 5. As root, an app the postgres user cannot reach is named with what to change.
if [ "$(id -u)" = 0 ]; then
  mkdir -m 700 "$WORK/private" && mkdir "$WORK/private/app"
  err=$("$RESHOST" --app-dir "$WORK/private/app" --resource e:postgres run true 2>&1)
  check_eq "unreachable data directory fails the run" 3 "$?"
  check_contains "says who cannot reach what" "the system user 'postgres' cannot reach $WORK/private/app" "$err"
fi

check "no server left running" test -z "$(pgrep -f "$WORK" || true)"
res_finish
