#!/bin/bash
# The postgres resource plugin against a real PostgreSQL: variables, persistence across two
# starts, migrations applied once, a failing migration named with the server's error, two
# servers side by side, fresh (exo test) data and wipe.
: "${EXO_TOP_SRCDIR:?run this through make check}"
. "$EXO_TOP_SRCDIR/tests/resources/common.sh"
res_have_plugin resource_postgres || res_skip "postgres plugin not built (libpq-dev)"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || res_skip "package postgresql not installed"
command -v psql >/dev/null || res_skip "psql not installed"
res_init pg
APP="$WORK/app"
mkdir -p "$APP/db/migrations"

major=$(ls /usr/lib/postgresql | sort -n | tail -1)
cfg='{"type":"postgres","version":'"$major"',"database":"shop","user":"shopper","migrations":"db/migrations"}'
pg() { "$RESHOST" --app-dir "$APP" --resource db:postgres --config "db=$cfg" "$@"; }

cat >"$APP/db/migrations/001_items.sql" <<'SQL'
CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL);
SQL
cat >"$APP/db/migrations/002_seed.sql" <<'SQL'
INSERT INTO items (name) VALUES ('seeded');
SQL

# 0. `exo env` asks for the variables before anything ran: no server, same password later.
out=$(pg env 2>&1)
check_eq "variables without a server" 0 "$?"
check_contains "env mode masks the password" "DB_PASSWORD=******** (secret)" "$out"
check_contains "env mode shows the user" "DB_USER=shopper" "$out"

# 1. Variables, as the service sees them; secrets masked when printed.
out=$(pg --print-env run sh -c 'echo "url=$DB_URL"; echo "host=$DB_HOST port=$DB_PORT user=$DB_USER db=$DB_DATABASE pw=${#DB_PASSWORD}"' 2>"$WORK/err1")
rc=$?
check_eq "first start succeeds" 0 "$rc"
check_contains "DB_URL is a postgres URL" "url=postgres://shopper:" "$out"
check_contains "DB_URL names host, port and database" "@127.0.0.1:" "$out"
check_contains "separate variables" "host=127.0.0.1" "$out"
check_contains "user from config" "user=shopper db=shop" "$out"
check_contains "generated password is 32 characters" "pw=32" "$out"
check_contains "password masked in the env listing" "DB_PASSWORD=******** (secret)" "$out"
check_contains "migrations applied" "applied migration db/migrations/002_seed.sql" "$(cat "$WORK/err1")"
check_contains "root runs the server as postgres" "unprivileged system user 'postgres'" \
  "$( [ "$(id -u)" = 0 ] && cat "$WORK/err1" || echo "unprivileged system user 'postgres'")"
mode=$(stat -c %a "$APP/.exo/resources/db/password")
check_eq "password file is 0600" 600 "$mode"

# 2. Write through the URL, read through the separate variables after a restart.
pg run sh -c 'psql -q "$DB_URL" -c "INSERT INTO items (name) VALUES ('"'written'"')"' 2>/dev/null
got=$(pg run sh -c 'PGPASSWORD="$DB_PASSWORD" psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB_DATABASE" -tAc "SELECT name FROM items ORDER BY id"' 2>/dev/null | paste -sd,)
check_eq "data persists across starts; migrations not re-applied" "seeded,written" "$got"
got=$(pg run sh -c 'psql "$DB_URL" -tAc "SELECT count(*) FROM exo_migrations"' 2>/dev/null)
check_eq "migrations tracked once each" 2 "$got"

# 3. A failing migration stops the run, names the file and the server's error.
printf 'INSERT INTO items (name) VALUES (%s);\nSELEC broken;\n' "'from-bad'" >"$APP/db/migrations/003_bad.sql"
err=$(pg run sh -c 'echo service-started' 2>&1)
rc=$?
check_eq "failing migration fails the run" 3 "$rc"
check_contains "failure names the file and line" "db/migrations/003_bad.sql:2:1: migration failed" "$err"
check_contains "failure carries the server's error" 'syntax error at or near "SELEC"' "$err"
case "$err" in *service-started*) not_ok "service must not start after a failed migration" ;; *) ok "service not started" ;; esac
rm "$APP/db/migrations/003_bad.sql"
got=$(pg run sh -c 'psql "$DB_URL" -tAc "SELECT count(*) FROM items WHERE name = '"'from-bad'"'"' 2>/dev/null)
check_eq "failed migration rolled back" 0 "$got"

# 4. Two postgres resources side by side, each with its own server and data.
two=$("$RESHOST" --app-dir "$APP" --resource a:postgres --resource b:postgres run sh -c '
  psql -q "$A_URL" -c "CREATE TABLE who (n text); INSERT INTO who VALUES ('"'a'"')" &&
  psql -q "$B_URL" -c "CREATE TABLE who (n text); INSERT INTO who VALUES ('"'b'"')" &&
  echo "ports-differ=$([ "$A_PORT" != "$B_PORT" ] && echo yes)" &&
  echo "a=$(psql "$A_URL" -tAc "SELECT n FROM who") b=$(psql "$B_URL" -tAc "SELECT n FROM who")"' 2>/dev/null)
check_contains "two servers on two ports" "ports-differ=yes" "$two"
check_contains "each has its own data" "a=a b=b" "$two"

# 5. Fresh data (exo test): empty database in a temporary directory, migrations applied.
got=$(pg --fresh run sh -c 'psql "$DB_URL" -tAc "SELECT name FROM items ORDER BY id"' 2>/dev/null | paste -sd,)
check_eq "fresh database has only migrated data" "seeded" "$got"
got=$(pg run sh -c 'psql "$DB_URL" -tAc "SELECT count(*) FROM items"' 2>/dev/null)
check_eq "dev data untouched by a fresh run" 2 "$got"

# 6. Wipe deletes the data; the next start is empty again.
pg wipe
check "wipe removes the cluster" test ! -e "$APP/.exo/resources/db/pgdata"
got=$(pg run sh -c 'psql "$DB_URL" -tAc "SELECT count(*) FROM items"' 2>/dev/null)
check_eq "after wipe only migrations' data" 1 "$got"

check "no server left running" test -z "$(pgrep -f "$WORK" || true)"
res_finish
