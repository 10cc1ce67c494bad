#!/bin/bash
# `exo build` on docker and podman: the todo example's production images are built under the
# names `exo generate` writes (APP-ROLE:VERSION), from a service's Dockerfile.prod when it has
# one (a label tells which file built it) and from its Dockerfile otherwise; every image the
# generated compose file and Kubernetes manifests name for a service then exists on the
# engine. A role that runs a named image is skipped, saying so; a role with nothing to build
# from stops exo build, naming it, before any image is built; the process backend builds
# nothing and says which to use.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/support/engines.sh"
. "$EXO_TOP_SRCDIR/tests/support/debian-base.sh"
. "$EXO_TOP_SRCDIR/tests/support/generated-todo.sh"
generated_todo_require || exit $?
for e in docker podman; do
  engines_require $e; r=$?
  [ $r = 0 ] || exit $r
done
debian_base_require; r=$?
[ $r = 0 ] || exit $r
trap 'engine_docker_stop; engine_podman_stop; lib_cleanup' EXIT

app=$T/todo
generated_todo_app "$app" kubernetes
"$EXO_BIN" generate compose --app "$app" >"$T/gen.out" 2>&1 || { cat "$T/gen.out"; fail "exo generate compose"; }
# web has a production Dockerfile of its own.
{ cat "$app/web/Dockerfile"; echo 'LABEL exo.test.dockerfile=prod'; } >"$app/web/Dockerfile.prod"

# The process backend builds nothing.
"$EXO_BIN" build --app "$app" >"$T/out" 2>&1 && fail "exo build on the process backend succeeded"
grep -q "web failed: backend process builds no images; build with a container backend: exo build --backend docker" \
  "$T/out" || fail "process backend: $(cat "$T/out")"

base=$(generated_todo_base) || fail "building the Debian base image"

# check_engine ENGINE INSPECT-PREFIX: exo build there, then the images.
check_engine() {
  local e=$1 prefix=$2 img label
  "$EXO_BIN" build --app "$app" --backend "$e" >"$T/build-$e.out" 2>&1 ||
    { tail -30 "$T/build-$e.out"; fail "exo build --backend $e"; }
  grep -q "summary: 3 built, 0 with an image of their own, 0 failed" "$T/build-$e.out" ||
    fail "$e: no summary: $(tail "$T/build-$e.out")"
  for img in todo-web:1.0.0 todo-todos:1.0.0 todo-stats:1.0.0; do
    $e image inspect "$prefix$img" >/dev/null 2>&1 || fail "$e: no image $img"
    grep -q "image: \"$img\"" "$app"/deploy/kubernetes/*.yaml || fail "the manifests do not name $img"
    grep -q "image: \"$img\"" "$app/deploy/compose/docker-compose.prod.yml" ||
      fail "docker-compose.prod.yml does not name $img"
  done
  label=$($e image inspect -f '{{index .Config.Labels "exo.test.dockerfile"}}' "${prefix}todo-web:1.0.0")
  [ "$label" = prod ] || fail "$e: web was not built from Dockerfile.prod (label '$label')"
  label=$($e image inspect -f '{{index .Config.Labels "exo.test.dockerfile"}}' "${prefix}todo-todos:1.0.0")
  [ "$label" = "" ] || [ "$label" = "<no value>" ] || fail "$e: todos was built from another Dockerfile ($label)"
  pass "$e: exo build made the images the generated files name, web from Dockerfile.prod"
}

engine_docker_start "$T" || fail "dockerd did not start"
engine_import_debian docker debian:bookworm-slim "$base" || fail "importing the base into docker"
check_engine docker ""

# A role with a named image is skipped; one with nothing to build from fails, naming it.
mkdir -p "$T/bad" && cp -r "$app" "$T/bad/app"
printf 'docker:\n  image: debian:bookworm-slim\n' >>"$T/bad/app/stats/service.yml"
rm "$T/bad/app/web/Dockerfile" "$T/bad/app/web/Dockerfile.prod"
docker rmi -f todo-todos:1.0.0 >/dev/null 2>&1
"$EXO_BIN" build --app "$T/bad/app" --backend docker >"$T/out" 2>&1 && fail "a role with nothing to build passed"
grep -q "service web has no image and no Dockerfile in ./web" "$T/out" || fail "no Dockerfile: $(cat "$T/out")"
docker image inspect todo-todos:1.0.0 >/dev/null 2>&1 && fail "todos was built although web cannot be"
"$EXO_BIN" build --app "$T/bad/app" --backend docker stats >"$T/out" 2>&1 || fail "a named image: $(cat "$T/out")"
grep -q "stats service stats runs the image debian:bookworm-slim: nothing to build" "$T/out" ||
  fail "a named image: $(cat "$T/out")"
grep -q "summary: 0 built, 1 with an image of their own, 0 failed" "$T/out" || fail "summary: $(cat "$T/out")"
pass "docker: a role without a Dockerfile stops exo build by name before anything is built; a named image is skipped"
engine_docker_stop

engine_podman_start "$T" || fail "podman did not start"
engine_import_debian podman debian:bookworm-slim "$base" || fail "importing the base into podman"
check_engine podman localhost/
