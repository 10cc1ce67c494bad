#!/bin/bash
# An app scaffolded with the c-service and python-service templates runs on docker as it is:
# exo create app, exo add service (both templates and a client), exo setup, then
#  - exo run --backend docker builds each service's development Dockerfile and a message
#    round trip (exo send --wait) reaches both services in their containers;
#  - each production Dockerfile.prod builds, and its image, started with nothing but its own
#    CMD, EXO_ROLE, EXO_BUS_ENDPOINT and EXO_BUS_TOKEN, answers through `exo bus` on the host.
# The Dockerfiles build FROM debian:bookworm-slim as on any machine; here, with no registry,
# that name is a Debian minbase built by debootstrap (tests/support/debian-base.sh, cached)
# with the packages the Dockerfiles would otherwise install.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/support/engines.sh"
. "$EXO_TOP_SRCDIR/tests/support/debian-base.sh"
exo=$EXO_BIN
libs="$EXO_TOP_BUILDDIR/plugins/transport-zmq/.libs"
[ -e "$libs/libexoservice.so" ] || {
  [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "libexoservice is not built"
  echo "skip: libexoservice is not built"; exit 77; }
engines_require docker; r=$?
[ $r = 0 ] || exit $r
debian_base_require; r=$?
[ $r = 0 ] || exit $r
trap 'docker rm -f exo-prod-ping exo-prod-pyping >/dev/null 2>&1; engine_docker_stop; lib_cleanup' EXIT

# What an installed exo gives setup commands and Python services, from the build tree.
export EXO_CFLAGS="-I$EXO_TOP_SRCDIR/plugins/transport-zmq/include -I$EXO_TOP_SRCDIR/plugin-api -I$EXO_TOP_BUILDDIR/plugin-api"
export EXO_LIBS="-L$libs -Wl,-rpath,$libs -lexoservice${EXO_SANITIZE_FLAGS:+ $EXO_SANITIZE_FLAGS}"
export EXO_PYTHON_DIR="$EXO_TOP_SRCDIR/plugins/transport-zmq/python"

# The same package list as tests/containers/todo.sh: one cached base image for both.
# An ASan build's C services need the sanitizer runtimes in the image too.
base=$(debian_base_tar python3-zmq libzmq5 libjansson4 ${EXO_SANITIZE_FLAGS:+libasan8 libubsan1}) || fail "building the Debian base image"
engine_docker_start "$T" || fail "dockerd did not start"
engine_import_debian docker debian:bookworm-slim "$base" || fail "importing the base into docker"

cd "$T" || exit 1
"$exo" create app demo </dev/null >/dev/null || fail "exo create app"
cd demo || exit 1
"$exo" add service ping --template c-service </dev/null >/dev/null || fail "exo add c-service"
"$exo" add service pyping --template python-service --set description='answers in Python' \
  </dev/null >/dev/null || fail "exo add python-service"
"$exo" add service client --template client --set sends=ping,pyping --set receives=pong \
  </dev/null >/dev/null || fail "exo add client"
for f in ping/Dockerfile ping/Dockerfile.prod pyping/Dockerfile pyping/Dockerfile.prod; do
  [ -f "$f" ] || fail "the template did not render $f"
done
# pyping answers ping as well; give it a name of its own so the two round trips are apart
sed -i 's/^    - ping$/    - pyping/' pyping/service.yml
sed -i 's/"ping": ping,/"pyping": ping,/' pyping/handlers.py
"$exo" check </dev/null >"$T/check.out" 2>&1 || { cat "$T/check.out"; cat client/service.yml; fail "exo check"; }
"$exo" setup </dev/null >"$T/setup.out" 2>&1 || { cat "$T/setup.out"; fail "exo setup"; }
[ -f ping/sdk/libexoservice.so.0 ] || { ls ping ping/sdk; fail "setup left no libexoservice in ping/sdk"; }
[ -f pyping/sdk/exo_service.py ] || fail "setup left no exo_service.py in pyping/sdk"

# round_trip NAME N: exo send as client, waiting for pong; retried while the app comes up.
round_trip() {
  local i
  for i in $(seq 1 40); do
    "$exo" send --as client "$1" "{\"n\": $2}" --wait --timeout 2000 </dev/null \
      >"$T/reply.$1.$2" 2>&1 && grep -q '"pong"' "$T/reply.$1.$2" &&
      grep -q "\"n\": *$2" "$T/reply.$1.$2" && return 0
    sleep 0.5
  done
  cat "$T/reply.$1.$2"
  return 1
}

# 1. Development images, through exo run --backend docker (the client role is only sent as).
"$exo" run --backend docker --only ping,pyping </dev/null >"$T/run.out" 2>&1 &
run_pid=$!
wait_for "$T/run.out" 'all services ready|failed|error' 240
expect_line "$T/run.out" 'all services ready'
expect_line "$T/run.out" 'bus listening on tcp://(10|172|192)\.'
round_trip ping 1 || { cat "$T/run.out"; fail "no pong from the C service in its container"; }
round_trip pyping 2 || { cat "$T/run.out"; fail "no pong from the Python service in its container"; }
[ "$(docker ps -q --filter label=exo.app=demo | wc -l)" = 2 ] ||
  { docker ps -a; fail "expected 2 containers of the app"; }
kill -INT "$run_pid"
wait_exit "$run_pid" 60
[ "$RC" = 0 ] || { cat "$T/run.out"; fail "exo run exited $RC"; }
echo "development images: round trips to ping and pyping on docker"

# 2. Production images: built from Dockerfile.prod, run by their own CMD next to exo bus.
for role in ping pyping; do
  docker build -q -f "$role/Dockerfile.prod" -t "exo-prod-$role" "$role" >"$T/build.$role" 2>&1 ||
    { cat "$T/build.$role"; fail "Dockerfile.prod of $role does not build"; }
done
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$exo" bus --listen "tcp://127.0.0.1:$port" </dev/null >"$T/bus.out" 2>&1 &
bus_pid=$!
wait_for "$T/bus.out" "127.0.0.1:$port" 10
# Started by hand, the containers register with the user token of .exo/bus.json.
token=$($PY -c 'import json; print(json.load(open(".exo/bus.json"))["token"])') ||
  fail "no token in .exo/bus.json"
for role in ping pyping; do
  docker run -d --name "exo-prod-$role" --network host -e EXO_ROLE=$role \
    -e EXO_BUS_ENDPOINT="tcp://127.0.0.1:$port" -e EXO_BUS_TOKEN="$token" \
    "exo-prod-$role" >/dev/null ||
    fail "cannot start the production image of $role"
done
wait_for "$T/bus.out" 'ping online' 30
wait_for "$T/bus.out" 'pyping online' 30
round_trip ping 3 || { docker logs exo-prod-ping; fail "no pong from the production C image"; }
round_trip pyping 4 || { docker logs exo-prod-pyping; fail "no pong from the production Python image"; }
[ "$(docker exec exo-prod-pyping id -un)" = exo ] || fail "the production image does not run as exo"
docker exec exo-prod-ping test -e /app/src && fail "the production C image carries the sources"
kill "$bus_pid"
wait_exit "$bus_pid" 10
pass "c-service and python-service apps run on docker: development and production images"
