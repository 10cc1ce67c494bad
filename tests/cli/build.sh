#!/bin/bash
# tests/cli/build.sh - what `exo build` decides before any engine is involved
# (tests/containers/build.sh builds on the real ones): every service is checked first, so an
# app whose last service has nothing to build (no image, no Dockerfile) is refused naming it,
# with no engine contacted and nothing built (DOCKER_HOST points nowhere: an attempt would
# fail on the engine instead); a frontend is refused when named and left out otherwise; an
# unknown role is refused.
. "$EXO_TOP_SRCDIR/tests/generate/lib.sh"
# build ARGS...: exo build in the app, with no reachable engine; sets $rc.
build() {
    (cd "$app" && DOCKER_HOST=unix://$tmp/no-docker.sock "$exo" build "$@") >"$tmp/out" 2>&1
    rc=$?
}

app=$tmp/todo
cp -r "$src/examples/todo" "$app"
rm -rf "$app/.exo" "$app/stats/Dockerfile"
build --backend docker
[ "$rc" -eq 1 ] || fail "a service with nothing to build: exit $rc"
grep -q "service stats has no image and no Dockerfile in ./stats; add a Dockerfile (or Dockerfile.prod), or set docker: {image: ...} in $app/stats/service.yml" \
    "$tmp/out" || fail "a service with nothing to build: message"
grep -qi "docker\.sock\|engine\|built\|summary" "$tmp/out" && fail "exo build went on to the engine"
[ "$(wc -l <"$tmp/out")" = 1 ] || fail "more than the one error line"

# A production Dockerfile alone is something to build; so is a given image.
printf 'FROM debian\n' >"$app/stats/Dockerfile.prod"
build --backend docker stats
grep -q "has no image and no Dockerfile" "$tmp/out" && fail "a Dockerfile.prod is not something to build"
rm "$app/stats/Dockerfile.prod"
printf 'docker:\n  image: busybox:exo\n' >>"$app/stats/service.yml"
build --backend docker stats
grep -q "has no image and no Dockerfile" "$tmp/out" && fail "a given image is not enough"

# Frontends: refused when named, left out otherwise (the process backend builds nothing, so
# every service fails there, each named; the frontend is not among them).
printf 'frontends:\n  site:\n    type: http\n    sends: [todo.create]\n    receives: [todo.created]\n' \
    >>"$app/application.yml"
build site
[ "$rc" -eq 1 ] || fail "build of a frontend: exit $rc"
grep -q "site is a frontend: it has no image of its own" "$tmp/out" || fail "build of a frontend: message"
build
[ "$rc" -eq 1 ] || fail "build on the process backend: exit $rc"
grep -q "site" "$tmp/out" && fail "the frontend site was built"
grep -q "summary: 0 built, 0 with an image of their own, 3 failed" "$tmp/out" \
    || fail "not every service was tried on the process backend"
build nosuch
[ "$rc" -eq 1 ] || fail "an unknown role: exit $rc"
grep -q "no role 'nosuch'" "$tmp/out" || fail "an unknown role: message"

finish
