#!/bin/bash
# The fullstack template in a real browser on the docker backend: the same app and the same
# browser checks as fullstack.sh (fullstack.mjs), with `exo run --backend docker`: todos and
# Postgres run in containers, the frontend stays a process on the host (it must reach the
# host's port), the page's URL is the same. No registry here: postgres:15 and
# debian:bookworm-slim are one Debian minbase with postgresql-15 (and so libpq5), libzmq5 and
# libjansson4 (tests/support/debian-base.sh, cached), with the stock postgres image's
# entrypoint contract as in tests/resources/e2e-container.sh.
# Screenshots: tests/browser/artifacts/fullstack-docker-*.png.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/browser/setup.sh"
. "$EXO_TOP_SRCDIR/tests/browser/app-lib.sh"
. "$EXO_TOP_SRCDIR/tests/support/engines.sh"
. "$EXO_TOP_SRCDIR/tests/support/debian-base.sh"
fullstack_require
[ -e "$EXO_TOP_BUILDDIR/plugins/.libs/backend_docker.so" ] ||
  browser_missing "the docker backend plugin is not built"
engines_require docker; r=$?
[ $r = 0 ] || exit $r
debian_base_require; r=$?
[ $r = 0 ] || exit $r
trap 'engine_docker_stop; lib_cleanup' EXIT
export EXO_BROWSER_ARTIFACTS="$EXO_TOP_BUILDDIR/tests/browser/artifacts"
mkdir -p "$EXO_BROWSER_ARTIFACTS"
rm -f "$EXO_BROWSER_ARTIFACTS"/fullstack-docker-*.png

# An ASan build's C services need the sanitizer runtimes in the image too.
base=$(debian_base_tar postgresql-15 libzmq5 libjansson4 ${EXO_SANITIZE_FLAGS:+libasan8 libubsan1}) ||
  fail "building the Debian base image"
engine_docker_start "$T" || fail "dockerd did not start"
# The stock postgres image's contract: initialise PGDATA when empty with POSTGRES_USER and
# POSTGRES_PASSWORD, accept password logins from the network, run as the postgres user.
pg_entry='set -e
PGDATA=${PGDATA:-/var/lib/postgresql/data}
bin=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
mkdir -p "$PGDATA"; chown postgres:postgres "$PGDATA"; chmod 700 "$PGDATA"
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  printf "%s\n" "$POSTGRES_PASSWORD" > /tmp/pw; chown postgres /tmp/pw
  as_pg "$bin/initdb" -D "$PGDATA" -U "${POSTGRES_USER:-postgres}" --pwfile=/tmp/pw \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f /tmp/pw
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups "$bin/postgres" -D "$PGDATA" \
  -c listen_addresses="*" -c unix_socket_directories=/tmp'
cmd=$($PY -c 'import json, sys; print(json.dumps(["/bin/sh", "-c", sys.argv[1]]))' "$pg_entry")
docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'ENV PGDATA=/var/lib/postgresql/data' -c "CMD $cmd" "$base" postgres:15 >/dev/null ||
  fail "importing postgres:15"
# The todos image builds FROM debian:bookworm-slim; the same root filesystem has its libraries.
docker tag postgres:15 debian:bookworm-slim || fail "tagging debian:bookworm-slim"

fullstack_create shop
"$EXO_BIN" run --backend docker </dev/null >"$T/run.out" 2>&1 &
run_pid=$!
fullstack_browse fullstack-docker "$T/run.out"
expect_line "$T/run.out" 'bus listening on tcp://(10|172|192)\.'
[ "$(docker ps -q --filter label=exo.app=shop | wc -l)" = 2 ] ||
  { docker ps -a; fail "expected 2 containers of the app (todos, db)"; }

kill -INT "$run_pid"
wait_exit "$run_pid" 120
[ "$RC" = 0 ] || { cat "$T/run.out"; fail "exo run --backend docker exited $RC"; }
[ -z "$(docker ps -aq --filter label=exo.app=shop)" ] || fail "containers left after Ctrl-C"
pass "the fullstack app works in chromium on the docker backend"
