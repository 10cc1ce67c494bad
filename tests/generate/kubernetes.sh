#!/bin/bash
# tests/generate/kubernetes.sh - `exo generate kubernetes`: the manifests of the todo example
# with a database, a cache, replicas and a secret: the objects each part becomes, secrets only
# in 0600 Secret files, labels, probes and claims; the manifests checked against the
# Kubernetes API schemas (k8s-validate.py, python3-kubernetes); byte-identical output on a
# second run; drift (an edited service.yml, a deleted output directory); a resource at an
# existing server (deploy-url), in kubernetes and compose; bad input (a service
# with nothing to build, a resource name Kubernetes cannot take) refused before any file is
# written.
. "$EXO_TOP_SRCDIR/tests/generate/lib.sh"
validate() {
    /usr/bin/python3 "$src/tests/generate/k8s-validate.py" "$1" >"$tmp/valid" 2>&1
}

plugins=${EXO_PLUGIN_PATH%%:*}
for r in postgres redis; do
    [ -f "$plugins/resource_$r.so" ] && continue
    [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && { fail "resource plugin $r not built in $plugins"; exit 1; }
    echo "skip: resource plugin $r is not built"; exit 77
done
if ! /usr/bin/python3 -c 'import kubernetes, yaml' 2>/dev/null; then
    [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && { fail "python3-kubernetes is not installed"; exit 1; }
    echo "skip: python3-kubernetes is not installed"; exit 77
fi

# The todo example, with a database and a cache for the store, three stores and a secret.
app=$tmp/todo
todo_with_resources "$app"
out=$app/deploy/kubernetes

gen kubernetes
[ "$rc" -eq 0 ] || fail "generate: exit $rc"
grep -q "^generated [0-9]* files in $out\$" "$tmp/out" || fail "generate: no summary line"
for f in kustomization.yaml bus.yaml web.yaml todos.yaml stats.yaml db.yaml cache.yaml \
         bus/Dockerfile .gitignore; do
    [ -f "$out/$f" ] || fail "generate: no $f"
    [ "$(stat -c %a "$out/$f" 2>/dev/null)" = 644 ] || fail "$f is not 0644"
done
# (a redis without a password has no secret variable, so no Secret)
for f in bus web todos stats db; do
    [ "$(stat -c %a "$out/secrets/$f.yaml" 2>/dev/null)" = 600 ] || fail "secrets/$f.yaml is not 0600"
    grep -q "^kind: \"Secret\"\$" "$out/secrets/$f.yaml" || fail "secrets/$f.yaml holds no Secret"
done
grep -qx 'secrets/' "$out/.gitignore" || fail ".gitignore does not keep secrets/ out"

# What each part becomes (one object per kind and name).
kinds() { grep -h '^kind:' "$@" | sort | uniq -c | awk '{print $1, $3}' | tr -d '"' | tr '\n' ' '; }
[ "$(kinds "$out/bus.yaml")" = "1 Deployment 1 Service " ] || fail "bus.yaml: $(kinds "$out/bus.yaml")"
[ "$(kinds "$out/todos.yaml")" = "1 ConfigMap 1 Deployment " ] || fail "todos.yaml: $(kinds "$out/todos.yaml")"
[ "$(kinds "$out/db.yaml")" = "1 Service 1 StatefulSet " ] || fail "db.yaml: $(kinds "$out/db.yaml")"
[ "$(kinds "$out/cache.yaml")" = "1 Service 1 StatefulSet " ] || fail "cache.yaml: $(kinds "$out/cache.yaml")"
grep -q '^  replicas: 3$' "$out/todos.yaml" || fail "instances: 3 is not replicas: 3"
grep -q '^  replicas: 1$' "$out/bus.yaml" || fail "the bus is not one replica"
grep -q 'type: "Recreate"' "$out/bus.yaml" || fail "the bus may run twice during an update"
grep -q 'EXO_BUS_ENDPOINT: "tcp://bus:7777"' "$out/todos.yaml" || fail "services are not pointed at the bus Service"
grep -q 'DB_HOST: "db"' "$out/todos.yaml" || fail "the store does not reach db by its Service"
grep -q 'LOG_LEVEL: "info"' "$out/todos.yaml" || fail "a plain variable is not in the ConfigMap"
grep -q 'image: "todo-todos:1.0.0"' "$out/todos.yaml" || fail "the store's image is not tagged with the version"
grep -q 'image: "todo-bus:1.0.0"' "$out/bus.yaml" || fail "the bus image is not tagged with the version"
grep -q 'image: "postgres:15"' "$out/db.yaml" || fail "the database does not run the plugin's image"
for l in 'name": "todos"' 'part-of": "todo"' 'managed-by": "exo"' 'version": "1.0.0"' 'component": "service"'; do
    grep -q "\"app.kubernetes.io/$l" "$out/todos.yaml" || fail "todos.yaml lacks label $l"
done
grep -A3 'volumeClaimTemplates:' "$out/db.yaml" | grep -q 'metadata:' || fail "the database has no claim"
grep -q 'mountPath: "/var/lib/postgresql/data"' "$out/db.yaml" || fail "the claim is not mounted at the data directory"
grep -q 'storage: "1Gi"' "$out/db.yaml" || fail "the claim asks no storage"
grep -A3 'readinessProbe:' "$out/db.yaml" | grep -q 'periodSeconds' || fail "the database has no readiness probe"
grep -A4 'readinessProbe:' "$out/bus.yaml" | grep -q 'port: 7777' || fail "the bus has no readiness probe on its port"
grep -q 'readinessProbe:' "$out/stats.yaml" && fail "stats is ready by online text, which no probe can see"
# Secrets: only in secrets/*.yaml, never in a ConfigMap or another file.
grep -q 'API_TOKEN: "tok$en-s3cr3t"' "$out/secrets/todos.yaml" || fail "the secret is not in the todos Secret"
grep -q 'DB_PASSWORD: ' "$out/secrets/todos.yaml" || fail "the database password is not in the Secret"
grep -q 'POSTGRES_PASSWORD: "[0-9a-f]' "$out/secrets/db.yaml" || fail "the server has no password"
tok=$(sed -n 's/^  EXO_BUS_USER_TOKEN: "\(.*\)"$/\1/p' "$out/secrets/bus.yaml")
[ ${#tok} -eq 64 ] || fail "no 64-digit EXO_BUS_USER_TOKEN in the bus Secret"
for role in web todos stats; do
    grep -q "EXO_BUS_TOKEN: \"$tok\"" "$out/secrets/$role.yaml" || fail "$role lacks the deployment's bus token"
done
for f in "$out"/*.yaml; do
    grep -q -e 's3cr3t' -e "$tok" -e 'PASSWORD' "$f" && fail "a secret is in $f"
done
validate "$out" || fail "the manifests do not validate: $(cat "$tmp/valid")"
grep -q '^ok: 17 objects in 12 files$' "$tmp/valid" || fail "validation saw other objects: $(cat "$tmp/valid")"

# The validator itself refuses what a server would: a wrong type, an unknown field, a
# missing required field, a dangling reference.
cp -r "$out" "$tmp/broken"
sed -i 's/^  replicas: 3$/  replicas: "3"/; s/^  selector:$/  selectorr:/' "$tmp/broken/todos.yaml"
sed -i '/configMapRef:/{n;s/"web-env"/"web-envv"/}' "$tmp/broken/web.yaml"
validate "$tmp/broken" && fail "the validator accepts broken manifests"
for m in 'replicas: must be an integer' "unknown field 'selectorr'" 'selector`, must not be `None`' \
         "refers to ConfigMap 'web-envv'"; do
    grep -qF "$m" "$tmp/valid" || fail "the validator does not report: $m ($(cat "$tmp/valid"))"
done

# Determinism: a second run gives the same bytes, and --check agrees.
cp -a "$out" "$tmp/first"
gen kubernetes
diff -r "$tmp/first" "$out" >"$tmp/diff" || fail "second run differs: $(cat "$tmp/diff")"
gen kubernetes --check
[ "$rc" -eq 0 ] || fail "--check on fresh output: exit $rc"
grep -q "^ok: 14 files in $out match the app\$" "$tmp/out" || fail "--check: no ok line"

# Drift: a changed service.yml names the file of its role; no output at all.
sed -i 's|exec /usr/bin/python3 stats.py|exec /usr/bin/python3 -u stats.py|' "$app/stats/service.yml"
gen kubernetes --check
[ "$rc" -eq 1 ] || fail "--check after a service.yml change: exit $rc, expected 1"
[ "$(cat "$tmp/out")" = "$out/stats.yaml: differs" ] || fail "--check does not name just stats.yaml"
grep -q "run 'exo generate kubernetes'" "$tmp/err" || fail "--check does not say how to fix it"
gen kubernetes
gen kubernetes --check
[ "$rc" -eq 0 ] || fail "--check after generating again: exit $rc"
rm -rf "$out"
gen kubernetes --check
[ "$rc" -eq 1 ] || fail "--check without output: exit $rc, expected 1"
grep -qx "$out/kustomization.yaml: missing" "$tmp/out" || fail "--check without output names no file"
[ -d "$out" ] && fail "--check created the output directory"

# A resource at an existing server (deploy-url) is not generated; its services get its URL.
gen kubernetes
sed -i 's|^    type: postgres$|    type: postgres\n    deploy-url: {secret: "postgres://app:pa%40ss@db.example.com:6543/todo"}|' \
    "$app/application.yml"
(cd "$app" && "$exo" check) >"$tmp/out" 2>"$tmp/err" || fail "exo check refuses deploy-url"
gen kubernetes --check
[ "$rc" -eq 1 ] || fail "--check after deploy-url: exit $rc, expected 1"
grep -qx "$out/todos.yaml: differs" "$tmp/out" || fail "--check after deploy-url does not name todos.yaml"
gen kubernetes --out deploy/ext
[ "$rc" -eq 0 ] || fail "generate with deploy-url: exit $rc"
ext=$app/deploy/ext
[ -e "$ext/db.yaml" ] && fail "the external database is generated"
[ -e "$ext/secrets/db.yaml" ] && fail "the external database has a Secret"
grep -q 'db' "$ext/kustomization.yaml" && fail "kustomization.yaml lists the external database"
grep -q 'DB_URL: "postgres://app:pa%40ss@db.example.com:6543/todo"' "$ext/secrets/todos.yaml" \
    || fail "the store's Secret lacks the database URL"
grep -q 'DB_PASSWORD: "pa@ss"' "$ext/secrets/todos.yaml" || fail "the store's Secret lacks the URL's password"
for v in 'DB_HOST: "db.example.com"' 'DB_PORT: "6543"' 'DB_USER: "app"'; do
    grep -q "$v" "$ext/todos.yaml" || fail "the store's ConfigMap lacks $v"
done
grep -q 'pa%40ss\|pa@ss' "$ext/todos.yaml" && fail "the URL's password is in the ConfigMap"
[ -e "$ext/cache.yaml" ] || fail "the other resource is no longer generated"
validate "$ext" || fail "the manifests with deploy-url do not validate: $(cat "$tmp/valid")"
gen compose
[ "$rc" -eq 0 ] || fail "compose with deploy-url: exit $rc"
grep -q '^  db:$' "$app/deploy/compose/docker-compose.yml" && fail "compose runs the external database"
grep -q '^      db:$' "$app/deploy/compose/docker-compose.yml" && fail "compose waits for the external database"
grep -q '^  cache:$' "$app/deploy/compose/docker-compose.yml" || fail "compose lost the other resource"
grep -q 'DB_URL=postgres://app:pa%40ss@db.example.com:6543/todo' "$app/deploy/compose/secrets/todos.env" \
    || fail "compose's store lacks the database URL"
# exo run keeps running its own server: deploy-url is for generated deployments only.
(cd "$app" && "$exo" env todos) >"$tmp/out" 2>"$tmp/err" || fail "exo env with deploy-url"
grep -q '^DB_HOST=127.0.0.1 ' "$tmp/out" || fail "exo env uses the deploy-url server"
sed -i 's|deploy-url: {secret: .*}$|deploy-url: {secret: "db.example.com:5432"}|' "$app/application.yml"
(cd "$app" && "$exo" check) >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "a deploy-url without a scheme passes exo check"
grep -q "application.yml:[0-9]*:[0-9]*: error: resources.db.deploy-url is not a URL with a host" \
    "$tmp/err" || fail "a bad deploy-url: no located error"
grep -q 'example' "$tmp/err" && fail "a bad deploy-url is echoed"

# Bad input, refused before any file is written.
bad=$tmp/bad
cp -r "$src/examples/todo" "$bad"
rm -rf "$bad/.exo" "$bad/deploy" "$bad/stats/Dockerfile"
(cd "$bad" && "$exo" generate kubernetes) >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "a service with nothing to build: not exit 1"
grep -q "kubernetes: service stats has no image and no Dockerfile in stats; add one, or set docker: {image: ...}" \
    "$tmp/err" || fail "a service with nothing to build: message"
[ -e "$bad/deploy" ] && fail "files were written for an app that cannot be generated"
cp "$src/examples/todo/stats/Dockerfile" "$bad/stats/"
sed -i 's/^services:$/resources:\n  my_db:\n    type: postgres\nservices:/' "$bad/application.yml"
(cd "$bad" && "$exo" generate kubernetes) >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "a resource name with '_': not exit 1"
grep -q "kubernetes: resource 'my_db' cannot name Kubernetes objects" "$tmp/err" \
    || fail "a resource name with '_': message"
[ -e "$bad/deploy" ] && fail "files were written for a resource Kubernetes cannot name"

finish
