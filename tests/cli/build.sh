#!/bin/bash
# tests/cli/build.sh - `exo build`'s decisions, with a stand-in `docker`/`podman` on PATH that
# records its arguments (tests/containers/build.sh builds on the real engines): the tag
# APP-ROLE:VERSION (latest without a version), --registry's second tag, the production
# Dockerfile (Dockerfile.prod, the dockerfile-prod setting) over the Dockerfile, a given image
# not built, the roles named, frontends and bad options refused; bad input (a service with
# nothing to build, a dockerfile-prod that does not exist) stops before the engine is run; a
# failing build shows the end of its log and names the service; a missing engine is named.
set -u
exo=${EXO_BIN:?EXO_BIN not set}
src=${EXO_TOP_SRCDIR:?EXO_TOP_SRCDIR not set}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exo-build.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    [ -f "$tmp/out" ] && { echo "--- stdout"; cat "$tmp/out"; }
    [ -f "$tmp/err" ] && { echo "--- stderr"; cat "$tmp/err"; }
    [ -f "$tmp/calls" ] && { echo "--- engine calls"; cat "$tmp/calls"; }
    failures=$((failures + 1))
}
mkdir "$tmp/bin"
for engine in docker podman; do
    cat >"$tmp/bin/$engine" <<EOF
#!/bin/sh
echo "$engine \$*" >>"$tmp/calls"
echo "Step 1/2 : FROM debian"
[ -n "\${FAIL_BUILD:-}" ] && { echo "Step 2/2 : RUN make"; echo "make: *** no rule" >&2; exit 2; }
exit 0
EOF
    chmod +x "$tmp/bin/$engine"
done
# build ARGS...: exo build in the app with the stand-in engines; sets $rc.
build() {
    rm -f "$tmp/calls"
    (cd "$app" && PATH="$tmp/bin:$PATH" "$exo" build "$@") >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

app=$tmp/todo
cp -r "$src/examples/todo" "$app"
rm -rf "$app/.exo" "$app/deploy"

build
[ "$rc" -eq 0 ] || fail "build: exit $rc"
for pair in web:web todos:store stats:stats; do
    role=${pair%%:*} dir=${pair#*:}
    grep -qx "docker build -t todo-$role:1.0.0 -f $app/$dir/Dockerfile $app/$dir" "$tmp/calls" \
        || fail "$role is not built as todo-$role:1.0.0 from $dir/Dockerfile"
    grep -qx "$role: built todo-$role:1.0.0 from $dir/Dockerfile" "$tmp/out" || fail "$role: no built line"
    [ -s "$app/.exo/state/build/$role.log" ] || fail "no build log for $role"
done
[ "$(wc -l <"$tmp/calls")" = 3 ] || fail "not one build per service"

# The production Dockerfile, a registry, a role, podman.
printf 'FROM debian\n' >"$app/stats/Dockerfile.prod"
build --backend podman --registry registry.example.com/team stats
[ "$rc" -eq 0 ] || fail "build stats: exit $rc"
grep -qx "podman build -t todo-stats:1.0.0 -t registry.example.com/team/todo-stats:1.0.0 -f $app/stats/Dockerfile.prod $app/stats" \
    "$tmp/calls" || fail "stats is not built from Dockerfile.prod with both tags on podman"
[ "$(wc -l <"$tmp/calls")" = 1 ] || fail "roles other than stats were built"
printf 'docker:\n  dockerfile-prod: prod/Containerfile\n' >>"$app/web/service.yml"
mkdir "$app/web/prod"
printf 'FROM debian\n' >"$app/web/prod/Containerfile"
build web
grep -qx "docker build -t todo-web:1.0.0 -f $app/web/prod/Containerfile $app/web" "$tmp/calls" \
    || fail "web is not built from its dockerfile-prod setting"

# A given image is run as it is; without a version the tag is latest.
printf 'docker:\n  image: busybox:exo\n' >>"$app/stats/service.yml"
rm "$app/stats/Dockerfile.prod"
sed -i '/^version:/d' "$app/application.yml"
build stats todos
[ "$rc" -eq 0 ] || fail "build with an image setting: exit $rc"
grep -qx "stats: runs image busybox:exo (its docker settings); nothing to build" "$tmp/out" \
    || fail "stats with an image setting: no line saying it is not built"
grep -q "todo-stats" "$tmp/calls" && fail "stats with an image setting was built"
grep -qx "docker build -t todo-todos:latest -f $app/store/Dockerfile $app/store" "$tmp/calls" \
    || fail "an app without a version is not tagged latest"

# A frontend has no image of its own: left out, and refused when named.
printf 'frontends:\n  site:\n    type: lines\n    sends: [todo.create]\n    receives: [todo.created]\n' \
    >>"$app/application.yml"
build site
[ "$rc" -eq 1 ] || fail "build of a frontend: exit $rc"
grep -q "site is a frontend: it has no image of its own" "$tmp/err" || fail "build of a frontend: message"
build todos
[ "$rc" -eq 0 ] || fail "build in an app with a frontend: exit $rc"

# Bad input stops before the engine runs.
rm "$app/web/prod/Containerfile"
build
[ "$rc" -eq 1 ] || fail "a missing dockerfile-prod: exit $rc"
grep -q "service web: its docker settings name $app/web/prod/Containerfile, which does not exist" \
    "$tmp/err" || fail "a missing dockerfile-prod: message"
[ -e "$tmp/calls" ] && fail "the engine ran although a service cannot be built"
sed -i '/dockerfile-prod/d; /^docker:$/d' "$app/web/service.yml"
# The last service of the app has nothing to build: the ones before it are not built either.
cp -r "$src/examples/todo" "$tmp/bad"
rm -rf "$tmp/bad/.exo" "$tmp/bad/stats/Dockerfile"
good=$app app=$tmp/bad
build
app=$good
[ "$rc" -eq 1 ] || fail "a service with nothing to build: exit $rc"
grep -q "service stats has no image and no Dockerfile in ./stats" "$tmp/err" \
    || fail "a service with nothing to build: message"
[ -e "$tmp/calls" ] && fail "the engine ran although a service has nothing to build"

# A failing build, a missing engine, bad options and roles.
FAIL_BUILD=1 build todos
[ "$rc" -eq 1 ] || fail "a failing build: exit $rc"
grep -q "service todos: 'docker build' of todo-todos:latest failed (exit 2)" "$tmp/err" \
    || fail "a failing build: message"
grep -q "make: \*\*\* no rule" "$tmp/err" || fail "a failing build: the log's end is not shown"
grep -q "full log: $app/.exo/state/build/todos.log" "$tmp/err" || fail "a failing build: no log path"
(cd "$app" && PATH=/nonexistent "$exo" build todos) >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "a missing engine: not exit 1"
grep -q "cannot run 'docker' to build service todos; install it or choose another --backend" \
    "$tmp/err" || fail "a missing engine: message"
build --backend kube
[ "$rc" -eq 1 ] || fail "--backend kube: exit $rc"
grep -q "backend must be docker or podman, not 'kube'" "$tmp/err" || fail "--backend kube: message"
build --registry 'bad registry/'
[ "$rc" -eq 1 ] || fail "a bad --registry: exit $rc"
build nosuch
[ "$rc" -eq 1 ] || fail "an unknown role: exit $rc"
grep -q "no role 'nosuch'" "$tmp/err" || fail "an unknown role: message"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ok"
