#!/bin/bash
# The redis resource plugin against a real redis-server: variables, PING readiness, persistence
# across two starts (default on), no persistence when off, password, fresh data, two side by
# side, wipe, and the failure texts for a taken port and a missing server.
: "${EXO_TOP_SRCDIR:?run this through make check}"
. "$EXO_TOP_SRCDIR/tests/resources/common.sh"
res_have_plugin resource_redis || res_skip "redis plugin not built (libhiredis-dev)"
command -v redis-server >/dev/null || res_skip "package redis-server not installed"
command -v redis-cli >/dev/null || res_skip "redis-cli not installed (package redis-tools)"
res_init redis
APP="$WORK/app"
mkdir -p "$APP"
rd() { "$RESHOST" --app-dir "$APP" --resource cache:redis "$@"; }

# 1. Variables and a write; read back after a restart (persistence is on by default).
out=$(rd --print-env run sh -c 'redis-cli -u "$CACHE_URL" SET greeting hello >/dev/null &&
  echo "url=$CACHE_URL host=$CACHE_HOST port=$CACHE_PORT pw=${CACHE_PASSWORD-unset}"' 2>/dev/null)
check_eq "first start succeeds" 0 "$?"
check_contains "CACHE_URL is a redis URL" "url=redis://127.0.0.1:" "$out"
check_contains "host variable" "host=127.0.0.1" "$out"
check_contains "no password variable without a password" "pw=unset" "$out"
got=$(rd run sh -c 'redis-cli -h "$CACHE_HOST" -p "$CACHE_PORT" GET greeting' 2>/dev/null)
check_eq "data persists across starts" "hello" "$got"
check "append-only file in the data dir" test -d "$APP/.exo/resources/cache/appendonlydir"

# 2. persistence: false keeps nothing between starts.
cfg='{"type":"redis","persistence":false}'
"$RESHOST" --app-dir "$APP" --resource tmp:redis --config "tmp=$cfg" run \
  sh -c 'redis-cli -u "$TMP_URL" SET k v >/dev/null' 2>/dev/null
got=$("$RESHOST" --app-dir "$APP" --resource tmp:redis --config "tmp=$cfg" run \
  sh -c 'redis-cli -u "$TMP_URL" EXISTS k' 2>/dev/null)
check_eq "no persistence when off" 0 "$got"

# 3. A generated password: required by the server, passed as a secret. `exo env` may ask for
# the variables before the first start.
cfg='{"type":"redis","password":true}'
out=$("$RESHOST" --app-dir "$APP" --resource sec:redis --config "sec=$cfg" env 2>&1)
check_contains "env mode before a start masks the password" "SEC_PASSWORD=******** (secret)" "$out"
out=$("$RESHOST" --app-dir "$APP" --print-env --resource sec:redis --config "sec=$cfg" run sh -c '
  echo "noauth=$(redis-cli -h "$SEC_HOST" -p "$SEC_PORT" PING 2>&1)"
  echo "auth=$(REDISCLI_AUTH="$SEC_PASSWORD" redis-cli -h "$SEC_HOST" -p "$SEC_PORT" PING)"
  echo "url=$(redis-cli -u "$SEC_URL" PING 2>/dev/null) len=${#SEC_PASSWORD}"' 2>/dev/null)
check_contains "server refuses without the password" "noauth=NOAUTH" "$out"
check_contains "password works" "auth=PONG" "$out"
check_contains "URL carries the password" "url=PONG len=32" "$out"
check_contains "password masked" "SEC_PASSWORD=******** (secret)" "$out"
check_eq "redis.conf is 0600" 600 "$(stat -c %a "$APP/.exo/resources/sec/redis.conf")"

# 4. Fresh data (exo test) and two servers side by side.
got=$(rd --fresh run sh -c 'redis-cli -u "$CACHE_URL" EXISTS greeting' 2>/dev/null)
check_eq "fresh server is empty" 0 "$got"
got=$("$RESHOST" --app-dir "$APP" --resource cache:redis --resource other:redis run sh -c '
  redis-cli -u "$OTHER_URL" SET greeting other >/dev/null &&
  echo "$(redis-cli -u "$CACHE_URL" GET greeting) $(redis-cli -u "$OTHER_URL" GET greeting)"' 2>/dev/null)
check_eq "two servers, separate data" "hello other" "$got"

# 5. Failures: taken port (the second of two servers on one port), missing server.
port=$(res_free_port)
err=$("$RESHOST" --app-dir "$APP" --resource a:redis:"$port" --resource b:redis:"$port" \
  run echo service-started 2>&1)
check_eq "port taken fails the run" 3 "$?"
check_contains "server's own error text" "Address already in use" "$err"
check_contains "names the resource" "resource b:" "$err"
case "$err" in *service-started*) not_ok "no service after a failed resource" ;; *) ok "no service started" ;; esac
mkdir -p "$WORK/emptybin"
err=$(PATH="$WORK/emptybin" "$RESHOST" --app-dir "$APP" --resource c:redis run echo x 2>&1)
check_eq "missing server fails the run" 3 "$?"
check_contains "names the package" "install the Debian package redis-server" "$err"

# 6. Corrupt data: a damaged append-only file stops the start with Redis's words.
for f in "$APP"/.exo/resources/cache/appendonlydir/*.incr.aof; do printf 'garbage\r\n' >>"$f"; done
err=$(rd --timeout-ms 15000 run echo service-started 2>&1)
check_eq "corrupt data fails the run" 3 "$?"
check_contains "server's own error text" "Bad file format" "$err"

# 7. Wipe.
rd wipe
check "wipe removes the data" test ! -e "$APP/.exo/resources/cache/appendonlydir"
got=$(rd run sh -c 'redis-cli -u "$CACHE_URL" EXISTS greeting' 2>/dev/null)
check_eq "empty after wipe" 0 "$got"

check "no server left running" test -z "$(pgrep -f "$WORK" || true)"
res_finish
