#!/bin/bash
# The todo example generated for Docker Compose and brought up by Debian's docker-compose on a
# private dockerd: `exo generate compose`, exo staged into the bus image's context, `up` with
# every image built, then messages sent through the bus (from inside the bus container, where
# `exo send` finds the broker): each gets its reply from the store and the stats service.
# `down -v` leaves no container, network or volume. The images build FROM
# debian:bookworm-slim, which here is a Debian minbase built by debootstrap (no registry).
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
dc() { docker-compose --no-ansi -p exogen -f "$out/docker-compose.yml" "$@"; }
trap 'dc down -v -t 2 >/dev/null 2>&1; engine_docker_stop; lib_cleanup' EXIT

base=$(generated_todo_base) ||
  fail "building the Debian base image"
engine_docker_start "$T" || fail "dockerd did not start"
engine_import_debian docker debian:bookworm-slim "$base" || fail "importing the base into docker"

generated_todo_app "$app" compose

dc build >"$T/build.log" 2>&1 || { tail -30 "$T/build.log"; fail "docker-compose build"; }
dc up -d >"$T/up.log" 2>&1 || { cat "$T/up.log"; dc logs; fail "docker-compose up"; }

dc_diag() { dc ps; dc logs --tail 20; }
generated_todo_round_trip "dc exec -T bus" dc_diag
dc ps >"$T/ps" 2>&1
grep -q 'healthy' "$T/ps" || fail "no healthy service: $(cat "$T/ps")"

dc down -v -t 2 >"$T/down.log" 2>&1 || { cat "$T/down.log"; fail "docker-compose down"; }
[ -z "$(docker ps -aq)" ] || fail "containers left: $(docker ps -a)"
docker network ls --format '{{.Name}}' | grep -q exogen && fail "network left"
[ -z "$(docker volume ls -q)" ] || fail "volumes left: $(docker volume ls)"
pass "docker-compose down left nothing"
