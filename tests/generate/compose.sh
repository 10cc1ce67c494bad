#!/bin/bash
# tests/generate/compose.sh - `exo generate compose`: the files of the todo example with
# resources, replicas and a secret; byte-identical output on a second run; --check on a clean,
# an edited, a missing and a re-permissioned file and on an app that changed; the compose file
# validated by Debian's docker-compose (`config`); bad input (unknown generator, unwritable
# output, an app that fails `exo check`, a service with nothing to build, a bad `instances`).
. "$EXO_TOP_SRCDIR/tests/generate/lib.sh"

plugins=${EXO_PLUGIN_PATH%%:*}
with_resources=1
for r in postgres redis; do
    if [ ! -f "$plugins/resource_$r.so" ]; then
        [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "resource plugin $r not built in $plugins"
        with_resources=0
    fi
done

# The todo example, with a database and a cache for the store, three stores and a secret.
app=$tmp/todo
if [ "$with_resources" = 1 ]; then
    todo_with_resources "$app"
else
    cp -r "$src/examples/todo" "$app"
    rm -rf "$app/.exo" "$app/deploy"
fi
out=$app/deploy/compose

gen compose
[ "$rc" -eq 0 ] || fail "generate: exit $rc"
grep -q "^generated [0-9]* files in $out\$" "$tmp/out" || fail "generate: no summary line"
for f in docker-compose.yml bus/Dockerfile .gitignore; do
    [ -f "$out/$f" ] || fail "generate: no $f"
done
[ "$(stat -c %a "$out/docker-compose.yml")" = 644 ] || fail "docker-compose.yml is not 0644"
for role in bus todos stats web; do
    grep -q "^  $role:\$" "$out/docker-compose.yml" || fail "no compose service $role"
done
grep -q 'EXO_BUS_ENDPOINT: "tcp://bus:7777"' "$out/docker-compose.yml" \
    || fail "services are not pointed at the bus service"
grep -q 'CMD \[\"exo\", \"bus\", \"--app\", \"/app\", \"--listen\", \"tcp://0.0.0.0:7777\"\]' \
    "$out/bus/Dockerfile" || fail "the bus image does not run exo bus"
grep -q '^COPY store/service.yml /app/store/service.yml$' "$out/bus/Dockerfile" \
    || fail "the bus image lacks a service's manifest"
grep -q 'ports:' "$out/docker-compose.yml" && fail "a host port is published for a private service"
if [ "$with_resources" = 1 ]; then
    grep -q '^      replicas: 3$' "$out/docker-compose.yml" || fail "instances: 3 is not replicas: 3"
    grep -q '"db-data:/var/lib/postgresql/data"' "$out/docker-compose.yml" \
        || fail "the database's data is not in a named volume"
    grep -q '^  db-data: {}$' "$out/docker-compose.yml" || fail "no top-level volume db-data"
    grep -q 'condition: "service_healthy"' "$out/docker-compose.yml" || fail "no health conditions"
    for f in todos db; do
        [ -f "$out/secrets/$f.env" ] || { fail "no secrets/$f.env"; continue; }
        [ "$(stat -c %a "$out/secrets/$f.env")" = 600 ] || fail "secrets/$f.env is not 0600"
    done
    grep -qx 'API_TOKEN=tok$en-s3cr3t' "$out/secrets/todos.env" || fail "the secret is not in todos.env"
    grep -q 'DB_PASSWORD=' "$out/secrets/todos.env" || fail "the database password is not a secret"
    grep -q '^POSTGRES_PASSWORD=[0-9a-f]' "$out/secrets/db.env" || fail "the server has no password"
    grep -q 's3cr3t' "$out/docker-compose.yml" && fail "a secret value is in the compose file"
    grep -q 'DB_HOST: "db"' "$out/docker-compose.yml" || fail "the store does not reach db by name"
    grep -q '"secrets/todos.env"' "$out/docker-compose.yml" || fail "no env_file for the secrets"
fi
# The bus credential: `exo bus` takes the deployment's token (secrets/bus.env) and every
# service presents the same one (secrets/ROLE.env); never in the compose file.
tok=$(sed -n 's/^EXO_BUS_USER_TOKEN=//p' "$out/secrets/bus.env" 2>/dev/null)
[ ${#tok} -eq 64 ] || fail "no 64-digit EXO_BUS_USER_TOKEN in secrets/bus.env"
[ "$(stat -c %a "$out/secrets/bus.env")" = 600 ] || fail "secrets/bus.env is not 0600"
for role in $(sed -n '/^services:/,/^[a-z]/s/^  \([a-z][a-z0-9-]*\):$/\1/p' "$app/application.yml"); do
    f=$out/secrets/$role.env
    grep -q "^EXO_BUS_TOKEN=$tok\$" "$f" || fail "$f lacks the deployment's bus token"
done
grep -q "$tok" "$out/docker-compose.yml" && fail "the bus token is in the compose file"

# Determinism: a second run gives the same bytes, and --check agrees.
cp -a "$out" "$tmp/first"
gen compose
[ "$rc" -eq 0 ] || fail "second generate: exit $rc"
diff -r "$tmp/first" "$out" >"$tmp/diff" || fail "second run differs: $(cat "$tmp/diff")"
gen compose --check
[ "$rc" -eq 0 ] || fail "--check on fresh output: exit $rc"
grep -q "^ok: [0-9]* files in $out match the app\$" "$tmp/out" || fail "--check: no ok line"

# Drift: an edited file, a missing one, a changed mode, a changed app, no output at all.
echo "# edited" >>"$out/docker-compose.yml"
gen compose --check
[ "$rc" -eq 1 ] || fail "--check after an edit: exit $rc, expected 1"
grep -qx "$out/docker-compose.yml: differs" "$tmp/out" || fail "--check does not name the edited file"
grep -q "run 'exo generate compose'" "$tmp/err" || fail "--check does not say how to fix it"
cp "$tmp/first/docker-compose.yml" "$out/docker-compose.yml"
rm "$out/bus/Dockerfile"
gen compose --check
[ "$rc" -eq 1 ] || fail "--check with a missing file: exit $rc, expected 1"
grep -qx "$out/bus/Dockerfile: missing" "$tmp/out" || fail "--check does not name the missing file"
[ -f "$out/bus/Dockerfile" ] && fail "--check wrote a file"
gen compose
if [ "$with_resources" = 1 ]; then
    chmod 644 "$out/secrets/todos.env"
    gen compose --check
    [ "$rc" -eq 1 ] || fail "--check with a secret file made readable: exit $rc"
    grep -qx "$out/secrets/todos.env: mode 0644, expected 0600" "$tmp/out" \
        || fail "--check does not report the mode"
    gen compose
    [ "$(stat -c %a "$out/secrets/todos.env")" = 600 ] || fail "generate does not restore 0600"
fi
sed -i 's|exec /usr/bin/python3 stats.py|exec /usr/bin/python3 -u stats.py|' "$app/stats/service.yml"
gen compose --check
[ "$rc" -eq 1 ] || fail "--check after a service.yml change: exit $rc, expected 1"
grep -qx "$out/docker-compose.yml: differs" "$tmp/out" || fail "--check misses the app's change"
gen compose
rm -rf "$out"
gen compose --check
[ "$rc" -eq 1 ] || fail "--check without output: exit $rc, expected 1"
[ -d "$out" ] && fail "--check created the output directory"

# A real tool reads the file: Debian's docker-compose (v1) validates and resolves it.
gen compose
if command -v docker-compose >/dev/null; then
    docker-compose -f "$out/docker-compose.yml" config >"$tmp/config" 2>"$tmp/config.err" \
        || fail "docker-compose config rejects the file: $(cat "$tmp/config.err")"
    grep -q "context: $app/store" "$tmp/config" || fail "docker-compose resolves another context"
    if [ "$with_resources" = 1 ]; then
        grep -q "replicas: 3" "$tmp/config" || fail "docker-compose does not see the replicas"
        grep -q 'API_TOKEN: tok[$]*en-s3cr3t' "$tmp/config" \
            || fail "docker-compose does not read the secret from the env file"
    fi
elif [ -n "${EXO_TEST_REQUIRE_ALL:-}" ]; then
    fail "docker-compose is not installed (bootstrap.sh test installs it)"
fi

# Bad input.
gen nope
[ "$rc" -eq 1 ] || fail "unknown generator: exit $rc"
grep -q "no working generator plugin named 'nope' (available: compose, kubernetes)" "$tmp/err" \
    || fail "unknown generator: message"
touch "$app/file"
gen compose --out file/x
[ "$rc" -eq 1 ] || fail "unwritable output: exit $rc"
grep -q "cannot create the output directory $app/file/x" "$tmp/err" || fail "unwritable output: message"
gen compose --out "$tmp/elsewhere"
[ "$rc" -eq 1 ] || fail "output outside the app: exit $rc"
grep -q "choose --out inside it" "$tmp/err" || fail "output outside the app: message"
[ -e "$tmp/elsewhere" ] && fail "a failed generate wrote files"

bad=$tmp/bad
cp -r "$src/examples/todo" "$bad"
rm -rf "$bad/.exo" "$bad/deploy" "$bad/stats/Dockerfile"
(cd "$bad" && "$exo" generate compose) >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "a service with nothing to build: not exit 1"
grep -q "service stats has no image and no Dockerfile in stats" "$tmp/err" \
    || fail "a service with nothing to build: message"
[ -e "$bad/deploy" ] && fail "files were written for an app that cannot be generated"
if [ "$with_resources" = 1 ]; then
    cp "$app/application.yml" "$bad/application.yml"
    cp "$src/examples/todo/stats/Dockerfile" "$bad/stats/"
    sed -i 's/^    type: redis$/    type: redis\n    verison: 7/' "$bad/application.yml"
    (cd "$bad" && "$exo" generate compose) >"$tmp/out" 2>"$tmp/err"
    [ $? -eq 1 ] || fail "an app that fails exo check: not exit 1"
    grep -q "application.yml:[0-9]*:[0-9]*: error: .*verison" "$tmp/err" \
        || fail "an app that fails exo check: no located error"
    grep -q "fix what 'exo check' reports" "$tmp/err" || fail "an app that fails exo check: message"
    [ -e "$bad/deploy" ] && fail "files were written for an app that fails exo check"
fi
sed -i 's/^  stats:$/  stats:\n    instances: 0/' "$bad/application.yml"
(cd "$bad" && "$exo" check) >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "instances: 0 passes exo check"
grep -q "application.yml:[0-9]*:[0-9]*: error: services.stats.instances must be a whole number from 1 to 64, not '0'" \
    "$tmp/err" || fail "instances: 0: no located error"

finish
