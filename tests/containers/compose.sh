#!/bin/bash
# The todo example generated for Docker Compose and brought up by Debian's docker-compose on a
# private dockerd: `exo generate compose`, exo staged into the bus image's context, `up` with
# every image built, then messages sent through the bus (from inside the bus container, where
# `exo send` finds the broker): each gets its reply from the store and the stats service.
# A frontend of the http plugin, public on a free port, runs from the bus image: its static
# page and a POST answered by the store come through the published port.
# `down -v` leaves no container, network or volume. The images build FROM
# debian:bookworm-slim, which here is a Debian minbase built by debootstrap (no registry).
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/support/engines.sh"
. "$EXO_TOP_SRCDIR/tests/support/debian-base.sh"
. "$EXO_TOP_SRCDIR/tests/support/generated-todo.sh"
. "$EXO_TOP_SRCDIR/tests/frontend/lib.sh"
generated_todo_require || exit $?
command -v docker-compose >/dev/null || {
  [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "docker-compose is not installed (package docker-compose)"
  echo "skip: docker-compose is not installed"; exit 77; }
[ -f "${EXO_PLUGIN_PATH%%:*}/frontend_http.so" ] || {
  [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "the http frontend is not built (libwebsockets-dev)"
  echo "skip: the http frontend is not built"; exit 77; }
command -v curl >/dev/null || fail "curl is not installed"
engines_require docker; r=$?
[ $r = 0 ] || exit $r
debian_base_require; r=$?
[ $r = 0 ] || exit $r

app=$T/todo
out=$app/deploy/compose
dc() { docker-compose --no-ansi -p exogen -f "$out/docker-compose.yml" "$@"; }
trap 'dc down -v -t 2 >/dev/null 2>&1; engine_docker_stop; lib_cleanup' EXIT

# The frontend's plugin needs libwebsockets in the bus image.
base=$(debian_base_tar python3-zmq libzmq5 libjansson4 libyaml-0-2 libltdl7 libwebsockets17 libuv1 libwebsockets-evlib-uv) ||
  fail "building the Debian base image"
engine_docker_start "$T" || fail "dockerd did not start"
engine_import_debian docker debian:bookworm-slim "$base" || fail "importing the base into docker"

generated_todo_app "$app" compose
P=$(free_port)
mkdir -p "$app/site"
echo '<h1>todos in compose</h1>' >"$app/site/index.html"
cat >>"$app/application.yml" <<EOF
frontends:
  site:
    type: http
    public: $P
    sends: [todo.create]
    receives: [todo.created]
    static: site
EOF
"$EXO_BIN" generate compose --app "$app" >"$T/gen.out" 2>&1 || { cat "$T/gen.out"; fail "exo generate with a frontend"; }

dc build >"$T/build.log" 2>&1 || { tail -30 "$T/build.log"; fail "docker-compose build"; }
dc up -d >"$T/up.log" 2>&1 || { cat "$T/up.log"; dc logs; fail "docker-compose up"; }

dc_diag() { dc ps; dc logs --tail 20; }
generated_todo_round_trip "dc exec -T bus" dc_diag
# The frontend: its static page and a POST through the bus, on the published port (the
# frontend may still be starting: retried until a deadline).
for i in $(seq 1 60); do
  curl -sS "http://127.0.0.1:$P/" >"$T/page" 2>/dev/null && break
  sleep 1
done
grep -q 'todos in compose' "$T/page" || { dc logs --tail 20 site; fail "GET / on the frontend: $(cat "$T/page")"; }
curl -sS -X POST -H 'Content-Type: application/json' -d '{"text": "from a browser"}' \
  -w '\n%{http_code}\n' "http://127.0.0.1:$P/api/todo.create" >"$T/post" || fail "POST to the frontend"
grep -q 'from a browser' "$T/post" && grep -qx 200 "$T/post" || { dc logs --tail 20 site; fail "POST /api/todo.create: $(cat "$T/post")"; }
pass "the http frontend runs from the bus image: its page and a POST answered by the store"
dc ps >"$T/ps" 2>&1
grep -q 'healthy' "$T/ps" || fail "no healthy service: $(cat "$T/ps")"

dc down -v -t 2 >"$T/down.log" 2>&1 || { cat "$T/down.log"; fail "docker-compose down"; }
[ -z "$(docker ps -aq)" ] || fail "containers left: $(docker ps -a)"
docker network ls --format '{{.Name}}' | grep -q exogen && fail "network left"
[ -z "$(docker volume ls -q)" ] || fail "volumes left: $(docker volume ls)"
pass "docker-compose down left nothing"
