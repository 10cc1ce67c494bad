#!/bin/bash
# exo run's dashboard in a real browser on the docker backend: the checks of dashboard.sh
# (dashboard.mjs) with `exo run --backend docker`: the services run in containers, the pids
# the page shows are the containers' main processes as the host sees them (killing one makes
# exo restart the container), and the page shows each container's id. No registry here:
# debian:bookworm-slim is a Debian minbase with the todo app's libraries
# (tests/support/debian-base.sh, cached), as in tests/containers/todo.sh.
# Screenshots: tests/browser/artifacts/dashboard-docker-*.png.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/browser/setup.sh"
. "$EXO_TOP_SRCDIR/tests/browser/dashboard-lib.sh"
. "$EXO_TOP_SRCDIR/tests/support/engines.sh"
. "$EXO_TOP_SRCDIR/tests/support/debian-base.sh"
dashboard_require
[ -e "$EXO_TOP_BUILDDIR/plugins/.libs/backend_docker.so" ] ||
  browser_missing "the docker backend plugin is not built"
engines_require docker; r=$?
[ $r = 0 ] || exit $r
debian_base_require; r=$?
[ $r = 0 ] || exit $r
trap 'engine_docker_stop; lib_cleanup' EXIT

# An ASan build's C services need the sanitizer runtimes in the image too.
base=$(debian_base_tar python3-zmq libzmq5 libjansson4 ${EXO_SANITIZE_FLAGS:+libasan8 libubsan1}) ||
  fail "building the Debian base image"
engine_docker_start "$T" || fail "dockerd did not start"
engine_import_debian docker debian:bookworm-slim "$base" || fail "importing the base into docker"

dashboard_app
"$EXO_BIN" run --app "$app" --backend docker </dev/null >"$T/run.out" 2>&1 &
run_pid=$!
dashboard_url "$T/run.out" "$run_pid" 300 # the first run builds the images
expect_line "$T/run.out" 'bus listening on tcp://(10|172|192)\.'

dashboard_browse dashboard-docker --containers

kill -INT "$run_pid"
wait_exit "$run_pid" 120
[ "$RC" = 0 ] || { cat "$T/run.out"; fail "exo run --backend docker exited $RC"; }
[ -z "$(docker ps -aq --filter label=exo.app=todo)" ] || fail "containers left after Ctrl-C"
pass "the dashboard shows and steers the todo app in chromium on the docker backend"
