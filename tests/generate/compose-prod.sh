#!/bin/bash
# tests/generate/compose-prod.sh - `exo generate compose`'s production file and public ports:
# docker-compose.prod.yml runs exo build's images (APP-ROLE:VERSION; a given image stays) and
# builds nothing from the app's directories, while docker-compose.yml builds them under
# APP-ROLE:VERSION-dev; only a public service (services.<role>.public) gets a host port, at
# its bind address, in both files; byte-identical output and --check drift on the production
# file; docker-compose validates it; a public service with several instances is refused
# before anything is written.
. "$EXO_TOP_SRCDIR/tests/generate/lib.sh"

app=$tmp/todo
cp -r "$src/examples/todo" "$app"
rm -rf "$app/.exo" "$app/deploy"
# web is public on 8080 (all interfaces); stats has a production Dockerfile.
sed -i 's|^  web:$|  web:\n    public: {port: 8080, bind: 0.0.0.0}|' "$app/application.yml"
printf 'FROM debian:bookworm-slim\nCOPY . /app/\nWORKDIR /app\n' >"$app/stats/Dockerfile.prod"
out=$app/deploy/compose
dev=$out/docker-compose.yml
prod=$out/docker-compose.prod.yml

gen compose
[ "$rc" -eq 0 ] || fail "generate: exit $rc"
[ -f "$prod" ] || fail "no docker-compose.prod.yml"
[ "$(stat -c %a "$prod")" = 644 ] || fail "docker-compose.prod.yml is not 0644"
grep -q '^# App todo as a Docker Compose project, in production' "$prod" \
    || fail "the production file does not say what it is"

# service ROLE FILE: the lines of compose service ROLE in FILE.
service() { sed -n "/^  $1:\$/,/^  [a-z]/p" "$2"; }
for role in todos stats web; do
    service $role "$prod" | grep -q '^    build:' && fail "prod: service $role is built from its directory"
    service $role "$prod" | grep -q "^    image: \"todo-$role:1.0.0\"\$" \
        || fail "prod: service $role does not run exo build's todo-$role:1.0.0"
    service $role "$dev" | grep -q '^    build:' || fail "dev: service $role is not built"
    service $role "$dev" | grep -q "^    image: \"todo-$role:1.0.0-dev\"\$" \
        || fail "dev: service $role's build is not tagged todo-$role:1.0.0-dev"
done
service bus "$prod" | grep -q '^    build:' || fail "prod: the bus image (exo's) is not built"
grep -q 'volumes:' "$prod" && fail "prod: a volume or source mount in an app without resources"

# Public ports: web only, at its bind, in both files.
for f in "$dev" "$prod"; do
    [ "$(grep -c '^    ports:$' "$f")" = 1 ] || fail "$f: ports on other services than web"
    service web "$f" | grep -qx '      - "0.0.0.0:8080:8080"' || fail "$f: web is not published on 0.0.0.0:8080"
done

# Determinism and drift of the production file.
cp -a "$out" "$tmp/first"
gen compose
diff -r "$tmp/first" "$out" >"$tmp/diff" || fail "second run differs: $(cat "$tmp/diff")"
sed -i 's|todo-web:1.0.0"|todo-web:latest"|' "$prod"
gen compose --check
[ "$rc" -eq 1 ] || fail "--check after editing the production file: exit $rc"
grep -qx "$prod: differs" "$tmp/out" || fail "--check does not name the production file"
rm "$prod"
gen compose --check
[ "$rc" -eq 1 ] || fail "--check without the production file: exit $rc"
grep -qx "$prod: missing" "$tmp/out" || fail "--check does not name the missing production file"
gen compose
cmp -s "$tmp/first/docker-compose.prod.yml" "$prod" || fail "generate did not restore the production file"

# A service that runs a given image: the same image in both files (exo build builds
# nothing for it).
printf 'docker:\n  image: busybox:exo\n' >>"$app/web/service.yml"
gen compose
service web "$dev" | grep -q '^    image: "busybox:exo"$' || fail "dev: web does not run its image"
service web "$prod" | grep -q '^    image: "busybox:exo"$' || fail "prod: web does not run its image"

if command -v docker-compose >/dev/null; then
    docker-compose -f "$prod" config >"$tmp/config" 2>"$tmp/config.err" \
        || fail "docker-compose config rejects the production file: $(cat "$tmp/config.err")"
    [ "$(grep -c '^    build:' "$tmp/config")" = 1 ] || fail "docker-compose sees more builds than the bus's"
    grep -q -- '- 0.0.0.0:8080:8080/tcp' "$tmp/config" || fail "docker-compose does not see web's port"
elif [ -n "${EXO_TEST_REQUIRE_ALL:-}" ]; then
    fail "docker-compose is not installed (bootstrap.sh test installs it)"
fi

# A public service cannot have several instances on one host port: refused, nothing written.
rm -rf "$out"
sed -i 's|^  web:$|  web:\n    instances: 2|' "$app/application.yml"
gen compose
[ "$rc" -eq 1 ] || fail "a public service with 2 instances: exit $rc"
grep -q "service web is public on host port 8080 and has 2 instances" "$tmp/err" \
    || fail "a public service with 2 instances: message"
[ -e "$out" ] && fail "files were written for a public service with 2 instances"

finish
