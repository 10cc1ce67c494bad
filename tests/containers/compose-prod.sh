#!/bin/bash
# The production compose file on a private dockerd: the todo example (stats with a
# Dockerfile.prod) is built by `exo build --backend docker`, then docker-compose.prod.yml comes
# up with `--no-build` once compose has built the bus image (exo's, the only build in that
# file): messages through the bus get their replies, stats runs its production image, no
# development image (APP-ROLE:VERSION-dev) was made, and `down -v` leaves nothing. The images
# build FROM a local Debian minbase (no registry).
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/support/engines.sh"
. "$EXO_TOP_SRCDIR/tests/support/debian-base.sh"
. "$EXO_TOP_SRCDIR/tests/support/generated-todo.sh"
generated_todo_require || exit $?
command -v docker-compose >/dev/null || {
  [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "docker-compose is not installed (package docker-compose)"
  echo "skip: docker-compose is not installed"; exit 77; }
engines_require docker; r=$?
[ $r = 0 ] || exit $r
debian_base_require; r=$?
[ $r = 0 ] || exit $r

app=$T/todo
out=$app/deploy/compose
dcp() { docker-compose --no-ansi -p exoprod -f "$out/docker-compose.prod.yml" "$@"; }
dcp_diag() { dcp ps; dcp logs --tail 20; }
trap 'dcp down -v -t 2 >/dev/null 2>&1; engine_docker_stop; lib_cleanup' EXIT

base=$(generated_todo_base) || fail "building the Debian base image"
engine_docker_start "$T" || fail "dockerd did not start"
engine_import_debian docker debian:bookworm-slim "$base" || fail "importing the base into docker"

generated_todo_app "$app" compose
# stats' production image differs from its development one by a marker file.
{ cat "$app/stats/Dockerfile"; echo 'RUN echo production >/etc/exo-image'; } >"$app/stats/Dockerfile.prod"

"$EXO_BIN" build --app "$app" --backend docker >"$T/build.out" 2>&1 ||
  { tail -30 "$T/build.out"; fail "exo build"; }
[ "$(docker run --rm todo-stats:1.0.0 cat /etc/exo-image)" = production ] ||
  fail "todo-stats:1.0.0 is not built from Dockerfile.prod"

dcp build >"$T/dcbuild.log" 2>&1 || { tail -30 "$T/dcbuild.log"; fail "docker-compose build (the bus)"; }
dcp up -d --no-build >"$T/up.log" 2>&1 || { cat "$T/up.log"; dcp logs; fail "docker-compose up --no-build"; }
generated_todo_round_trip "dcp exec -T bus" dcp_diag
docker images --format '{{.Repository}}:{{.Tag}}' | grep -- '-dev$' &&
  fail "development images were built for the production file"
docker ps --format '{{.Image}}' | grep -qx 'todo-stats:1.0.0' || fail "stats does not run todo-stats:1.0.0: $(docker ps)"
pass "docker-compose.prod.yml runs exo build's images, stats its production one"

dcp down -v -t 2 >"$T/down.log" 2>&1 || { cat "$T/down.log"; fail "docker-compose down"; }
[ -z "$(docker ps -aq)" ] || fail "containers left: $(docker ps -a)"
[ -z "$(docker volume ls -q)" ] || fail "volumes left: $(docker volume ls)"
pass "docker-compose down left nothing"
