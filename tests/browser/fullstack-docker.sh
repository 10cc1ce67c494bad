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
# postgres:15 from the base (the stock image's contract; tests/support/debian-base.sh).
engine_import_postgres docker postgres:15 "$base" ||
  fail "importing postgres:15"
# The todos image builds FROM debian:bookworm-slim; the same root filesystem has its libraries.
docker tag postgres:15 debian:bookworm-slim || fail "tagging debian:bookworm-slim"

fullstack_create shop
"$EXO_BIN" run --backend docker </dev/null >"$T/run.out" 2>&1 &
run_pid=$!
fullstack_browse fullstack-docker "$T/run.out" "$run_pid"
expect_line "$T/run.out" 'bus listening on tcp://(10|172|192)\.'
[ "$(docker ps -q --filter label=exo.app=shop | wc -l)" = 2 ] ||
  { docker ps -a; fail "expected 2 containers of the app (todos, db)"; }

kill -INT "$run_pid"
wait_exit "$run_pid" 120
[ "$RC" = 0 ] || { cat "$T/run.out"; fail "exo run --backend docker exited $RC"; }
[ -z "$(docker ps -aq --filter label=exo.app=shop)" ] || fail "containers left after Ctrl-C"
pass "the fullstack app works in chromium on the docker backend"
