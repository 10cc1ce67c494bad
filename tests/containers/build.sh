#!/bin/bash
# `exo build` on the real engines, and the production compose file running what it built.
# On a private dockerd: an app with a service that has nothing to build is refused naming it,
# and no image is made; then the todo example (stats with a Dockerfile.prod) is built:
# todo-ROLE:1.0.0 and the --registry tags exist, stats' image is the production one; then
# docker-compose.prod.yml comes up with `--no-build` for the services (only the bus image, exo's,
# is built by compose): a message through the bus gets its reply, no development image was
# made, and `down -v` leaves nothing. On podman: `exo build --backend podman web` leaves
# todo-web:1.0.0 in podman's storage. The images build FROM a local Debian minbase.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/support/engines.sh"
. "$EXO_TOP_SRCDIR/tests/support/debian-base.sh"
. "$EXO_TOP_SRCDIR/tests/support/generated-todo.sh"
generated_todo_require || exit $?
command -v docker-compose >/dev/null || {
  [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "docker-compose is not installed (package docker-compose)"
  echo "skip: docker-compose is not installed"; exit 77; }
engines_require_both || exit $?
debian_base_require; r=$?
[ $r = 0 ] || exit $r

app=$T/todo
out=$app/deploy/compose
dcp() { docker-compose --no-ansi -p exobuild -f "$out/docker-compose.prod.yml" "$@"; }
trap 'dcp down -v -t 2 >/dev/null 2>&1; engine_docker_stop; engine_podman_stop; lib_cleanup' EXIT

base=$(generated_todo_base) || fail "building the Debian base image"
engine_docker_start "$T" || fail "dockerd did not start"
engine_import_debian docker debian:bookworm-slim "$base" || fail "importing the base into docker"

generated_todo_app "$app" compose
# stats' production image differs from its development one by a marker file.
{ cat "$app/stats/Dockerfile"; echo 'RUN echo production >/etc/exo-image'; } >"$app/stats/Dockerfile.prod"

# todo_images: the todo images on dockerd, one REPOSITORY:TAG a line.
todo_images() { docker images --format '{{.Repository}}:{{.Tag}}' | grep 'todo-' | sort; }

# Bad input: nothing is built.
cp -r "$app" "$T/bad"
rm "$T/bad/web/Dockerfile"
"$EXO_BIN" build --app "$T/bad" >"$T/bad.out" 2>&1 && fail "exo build of an app with nothing to build for web succeeded"
grep -q "service web has no image and no Dockerfile in ./web" "$T/bad.out" || fail "bad input: $(cat "$T/bad.out")"
[ -z "$(todo_images)" ] || fail "images were built for an app that cannot be built: $(todo_images)"
pass "a service with nothing to build stops exo build before any image is built"

"$EXO_BIN" build --app "$app" --registry registry.example.com/team >"$T/build.out" 2>&1 ||
  { cat "$T/build.out"; tail -20 "$app"/.exo/state/build/*.log; fail "exo build"; }
for role in web todos stats; do
  for image in todo-$role:1.0.0 registry.example.com/team/todo-$role:1.0.0; do
    docker image inspect "$image" >/dev/null 2>&1 || fail "no image $image: $(todo_images)"
  done
done
grep -qx "stats: built todo-stats:1.0.0 and registry.example.com/team/todo-stats:1.0.0 from stats/Dockerfile.prod" \
  "$T/build.out" || fail "exo build's output: $(cat "$T/build.out")"
[ "$(docker run --rm todo-stats:1.0.0 cat /etc/exo-image)" = production ] ||
  fail "todo-stats:1.0.0 is not built from Dockerfile.prod"
docker run --rm todo-web:1.0.0 test ! -e /etc/exo-image || fail "todo-web:1.0.0 has stats' production marker"
pass "exo build made todo-ROLE:1.0.0 (and the registry tags), stats from its Dockerfile.prod"

# The production compose file runs those images: only the bus (exo's image) is built here.
dcp build >"$T/dcbuild.log" 2>&1 || { tail -30 "$T/dcbuild.log"; fail "docker-compose build (the bus)"; }
dcp up -d --no-build >"$T/up.log" 2>&1 || { cat "$T/up.log"; dcp logs; fail "docker-compose up --no-build"; }
send() { compose_send dcp "$@"; }
send todo.create '{"text": "ship the production images"}'
grep -q 'ship the production images' "$T/reply" || fail "todo.create: $(cat "$T/reply")"
todo_images | grep -q -- '-dev$' && fail "development images were built: $(todo_images)"
docker ps --format '{{.Image}}' | grep -qx 'todo-stats:1.0.0' || fail "stats does not run todo-stats:1.0.0: $(docker ps)"
pass "docker-compose.prod.yml runs exo build's images: todo.create got its reply through the bus"
dcp down -v -t 2 >"$T/down.log" 2>&1 || { cat "$T/down.log"; fail "docker-compose down"; }
[ -z "$(docker ps -aq)" ] || fail "containers left: $(docker ps -a)"
[ -z "$(docker volume ls -q)" ] || fail "volumes left: $(docker volume ls)"
pass "docker-compose down left nothing"
engine_docker_stop

engine_podman_start "$T" || fail "podman did not start"
engine_import_debian podman debian:bookworm-slim "$base" || fail "importing the base into podman"
"$EXO_BIN" build --app "$app" --backend podman web >"$T/podman.out" 2>&1 ||
  { cat "$T/podman.out"; tail -20 "$app/.exo/state/build/web.log"; fail "exo build --backend podman web"; }
podman image exists todo-web:1.0.0 || fail "podman has no todo-web:1.0.0: $(podman images)"
podman image exists todo-todos:1.0.0 && fail "podman built todos, which was not named"
pass "exo build --backend podman web built todo-web:1.0.0 in podman"
