# Issue 18 finding 7: everything under .exo/ that holds data, logs or credentials is the
# user's alone after an exo run with a postgres and a redis resource: files without any
# group/other bit, directories without group/other read or write. The only directories others
# may pass through (x, not list) are .exo and .exo/resources: as root the postgres server runs
# as the postgres user, which must reach its own data directory.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
skip() { [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "required: $*"; echo "SKIP: $*"; exit 77; }
command -v redis-server >/dev/null || skip "redis-server not installed"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || skip "postgresql not installed"
chmod 755 "$T" # the postgres user must reach the app (tests/resources/common.sh)
A=$T/app
mkdir -p "$A"
cat > "$A/application.yml" <<'YML'
name: files-test
shutdown-grace: 2s
resources:
  db:
    type: postgres
  cache:
    type: redis
    password: true
services:
  api:
    location: ./api
    resources: [db, cache]
YML
# Writes to redis and asks for a snapshot, so that dump and AOF files exist.
service "$A/api" "startup:
  command: redis-cli -u \"\$CACHE_URL\" SET k v > /dev/null 2>&1; redis-cli -u \"\$CACHE_URL\" SAVE 2>&1; echo api up; exec sleep 600
  online-text: api up"

"$EXO_BIN" run --app "$A" > "$T/out" 2>&1 &
EXO=$!
wait_for "$T/out" 'all services ready' 60
sleep 0.3
# bus.json and run.json exist while the app runs
for f in run.json bus.json; do [ -e "$A/.exo/$f" ] || fail "no .exo/$f while running"; done
find "$A/.exo" -printf '%m %y %p\n' > "$T/running"
kill -INT $EXO
wait_exit $EXO 30
[ "$RC" = 0 ] || { cat "$T/out"; fail "exo run exited $RC"; }
find "$A/.exo" -printf '%m %y %p\n' > "$T/stopped"
ls "$A/.exo/resources/cache" | grep -q dump.rdb || { ls -la "$A/.exo/resources/cache"; fail "no redis dump"; }

bad=$(cat "$T/running" "$T/stopped" | sort -u | awk -v exo="$A/.exo" '
  { mode = $1; type = $2; path = $3
    n = length(mode); go = substr(mode, n - 1)   # the group and other digits
    if (type == "d" && (path == exo || path == exo "/resources")) { if (go != "11" && go != "00") print }
    else if (type == "d") { if (go != "00") print }
    else if (type == "f" && go != "00") print
  }')
[ -z "$bad" ] || { echo "$bad" >&2; fail "readable or writable by others under .exo"; }
grep -q ' f .*/logs/api.log$' "$T/stopped" || fail "no api log"
grep -q ' f .*/resources/cache/appendonlydir/' "$T/stopped" || fail "no redis AOF"
grep -q ' f .*/resources/db/pgdata/PG_VERSION$' "$T/stopped" || fail "no postgres data"
expect_nothing_left
pass "data, logs, state, run.json and bus.json under .exo are the user's alone"
