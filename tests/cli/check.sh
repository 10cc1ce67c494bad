#!/bin/bash
# tests/cli/check.sh - `exo check`: exit codes, the FILE:LINE:COLUMN format, wiring warnings,
# --strict, --app, --json, finding the app by walking up, and running outside any app.
set -u
exo=${EXO_BIN:?EXO_BIN not set}
apps=$(cd "${EXO_TOP_SRCDIR:?EXO_TOP_SRCDIR not set}/tests/fixtures/apps" && pwd -P)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    echo "--- stdout"; cat "$tmp/out"; echo "--- stderr"; cat "$tmp/err"
    failures=$((failures + 1))
}

# run DIR ARGS...: run exo check in DIR; sets $rc, output in $tmp/out and $tmp/err.
run() {
    local dir=$1
    shift
    (cd "$dir" && "$exo" check "$@") >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

expect_rc() {
    [ "$rc" -eq "$1" ] || fail "$2: exit $rc, expected $1"
}

# The full app uses the optional postgres and redis plugins; where they are not built, exo
# check warns that their blocks are not checked (tested below), so those runs use the plugins
# of the build and, when one is missing, a stand-in resource plugin of the same name that
# declares no keys.
plugins=${EXO_PLUGIN_PATH%%:*}
for r in postgres redis; do
    if [ ! -f "$plugins/resource_$r.so" ]; then
        [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "resource plugin $r not built in $plugins"
        mkdir -p "$tmp/stand-in"
        sed "s/\"bare\"/\"$r\"/" "$EXO_TOP_SRCDIR/tests/fixtures/plugins-keys/resource_bare.c" \
            >"$tmp/stand-in/$r.c"
        # shellcheck disable=SC2046
        ${CC:-gcc} -shared -fPIC -I"$EXO_TOP_SRCDIR/plugin-api" -I"$EXO_TOP_BUILDDIR/plugin-api" \
            -I"$EXO_TOP_SRCDIR/tests/fixtures/plugins-keys" $(pkg-config --cflags jansson) \
            -o "$tmp/stand-in/resource_$r.so" "$tmp/stand-in/$r.c" || fail "stand-in $r"
        export EXO_PLUGIN_PATH="$EXO_PLUGIN_PATH:$tmp/stand-in"
    fi
done

# A valid app: exit 0, the ok line, nothing on stderr.
run / --app "$apps/full"
expect_rc 0 "valid app"
grep -qx 'ok: app full-app, 3 services, 2 messages' "$tmp/out" || fail "valid app: ok line"
[ ! -s "$tmp/err" ] || fail "valid app: stderr not empty"

# Walking up from a service's subdirectory finds the app.
run "$apps/full/web-server/src"
expect_rc 0 "walk up"
grep -qx 'ok: app full-app, 3 services, 2 messages' "$tmp/out" || fail "walk up: ok line"

# --app=DIR form, relative to the current directory.
run "$apps" --app=full
expect_rc 0 "--app=DIR"

# Wiring problems are warnings: exit 0, one line each at the offending item.
run / --app "$apps/wiring"
expect_rc 0 "wiring warnings"
grep -qx 'ok: app wiring, 2 services, 4 messages' "$tmp/out" || fail "wiring: ok line"
[ "$(wc -l <"$tmp/err")" -eq 3 ] || fail "wiring: expected exactly 3 lines on stderr"
w=$apps/wiring
grep -qxF "$w/web/service.yml:4:25: warning: role web sends 'orphan.sent' but no role receives it" \
    "$tmp/err" || fail "wiring: sent but not received"
grep -qxF "$w/web/service.yml:5:14: warning: role web receives 'never.sent' but no role sends it" \
    "$tmp/err" || fail "wiring: received but not sent"
grep -qF "$w/application.yml:10:9: warning: translation of role users maps to nothing" \
    "$tmp/err" || fail "wiring: translation to nothing"

# --strict makes warnings fatal.
run / --app "$apps/wiring" --strict
expect_rc 1 "--strict"
[ ! -s "$tmp/out" ] || fail "--strict: printed an ok line"
grep -q 'failing because of --strict' "$tmp/err" || fail "--strict: no explanation"
run / --strict --app "$apps/full"
expect_rc 0 "--strict on a clean app"

# A manifest with several mistakes: one FILE:LINE:COLUMN: error: line per mistake, exit 1.
run / --app "$apps/many-errors"
expect_rc 1 "many errors"
n=$(grep -cE '^/[^:]+\.yml:[0-9]+:[0-9]+: error: ' "$tmp/err")
[ "$n" -eq 11 ] || fail "many errors: $n error lines, expected 11"
grep -qxF "$apps/many-errors/application.yml:3:1: error: unknown key 'servces' in application.yml; did you mean 'services'?" \
    "$tmp/err" || fail "many errors: did-you-mean line"
grep -qF "$apps/many-errors/svc/service.yml:4:7: error: port must be a whole number" \
    "$tmp/err" || fail "many errors: service.yml line"
[ ! -s "$tmp/out" ] || fail "many errors: printed to stdout"

# Outside any app: a clear error and exit 1.
mkdir -p "$tmp/empty/sub"
run "$tmp/empty/sub"
expect_rc 1 "outside an app"
grep -q "no application.yml in $tmp/empty/sub or any parent directory" "$tmp/err" \
    || fail "outside an app: message"
run / --app "$tmp/does-not-exist"
expect_rc 1 "--app missing dir"
grep -q "no such app directory" "$tmp/err" || fail "--app missing dir: message"

# --json: the same findings, machine-readable.
run / --app "$apps/wiring" --json
expect_rc 0 "--json"
/usr/bin/python3 - "$tmp/out" <<'PY' || fail "--json: content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["app"] == "wiring", d
assert d["services"] == 2 and d["messages"] == 4 and d["warnings"] == 3, d
w = [x for x in d["diagnostics"] if x["severity"] == "warning"]
assert len(w) == 3 and w[0]["line"] == 4 and w[0]["column"] == 25, w
PY
run / --app "$apps/many-errors" --json
expect_rc 1 "--json with errors"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert not d["ok"] and d["errors"] == 11' \
    "$tmp/out" || fail "--json with errors: content"

# Plugin blocks against the keys the plugins declare (fixture plugins in plugins-keys): a
# misspelled resource key at its line and column with a hint, exit 1, nothing started.
keys="$EXO_TOP_BUILDDIR/tests/fixtures/plugins-keys/.libs"
[ -f "$keys/resource_keyed.so" ] || fail "fixture plugins not built in $keys"
mkdir -p "$tmp/keys/web"
cat >"$tmp/keys/application.yml" <<'EOF'
name: keys
backend: plain
resources:
  db:
    type: keyed
    token: t
    verison: 15
services:
  web:
    location: web
    resources: [db]
EOF
printf 'startup:\n  command: ./run\n' >"$tmp/keys/web/service.yml"
EXO_PLUGIN_PATH=$keys run / --app "$tmp/keys"
expect_rc 1 "misspelled resource key"
grep -qxF "$tmp/keys/application.yml:7:5: error: resources.db: unknown key 'verison'; did you mean 'version'?" \
    "$tmp/err" || fail "misspelled resource key: message"
[ ! -s "$tmp/out" ] || fail "misspelled resource key: printed an ok line"
# The same app through the paths that start things: refused before anything runs.
for cmd in "run" "env web" "test web" "setup"; do
    # shellcheck disable=SC2086
    (cd "$tmp/keys" && EXO_PLUGIN_PATH=$keys "$exo" $cmd) >"$tmp/out" 2>"$tmp/err"
    rc=$?
    expect_rc 1 "exo $cmd with a misspelled key"
    grep -qF "application.yml:7:5: error: resources.db: unknown key 'verison'" "$tmp/err" \
        || fail "exo $cmd: no finding"
done
[ ! -e "$tmp/keys/.exo/run.json" ] || fail "exo run started something"
# Fixed, it passes; the --json form carries the findings too.
sed -i 's/verison/version/' "$tmp/keys/application.yml"
EXO_PLUGIN_PATH=$keys run / --app "$tmp/keys"
expect_rc 0 "fixed resource key"
grep -qx 'ok: app keys, 1 service, 0 messages' "$tmp/out" || fail "fixed resource key: ok line"
sed -i 's/version: 15/version: fifteen/' "$tmp/keys/application.yml"
EXO_PLUGIN_PATH=$keys run / --app "$tmp/keys" --json
expect_rc 1 "wrong type, --json"
/usr/bin/python3 - "$tmp/out" <<'PY' || fail "wrong type --json: content"
import json, sys
d = json.load(open(sys.argv[1]))
assert not d["ok"] and d["errors"] == 1, d
e = d["diagnostics"][0]
assert (e["line"], e["column"]) == (7, 14), e
assert e["message"] == "resources.db.version must be a whole number (int), not 'fifteen'", e
PY
# A plugin that is not installed: a warning, not a failure (--strict makes it one).
sed -i 's/version: fifteen/version: 15/; s/type: keyed/type: keyless/' "$tmp/keys/application.yml"
EXO_PLUGIN_PATH=$keys run / --app "$tmp/keys"
expect_rc 0 "uninstalled resource plugin"
grep -qF "$tmp/keys/application.yml:4:3: warning: resources.db: its keys are not checked: no working resource plugin 'keyless' is installed" \
    "$tmp/err" || fail "uninstalled resource plugin: warning"
EXO_PLUGIN_PATH=$keys run / --app "$tmp/keys" --strict
expect_rc 1 "uninstalled resource plugin, --strict"

# With the installed plugins: postgres rejects the same typo once it declares its keys.
mkdir -p "$tmp/pg/web"
printf 'name: pg\nresources:\n  db:\n    type: postgres\n    verison: 15\nservices:\n  web:\n    location: web\n' \
    >"$tmp/pg/application.yml"
printf 'startup:\n  command: ./run\n' >"$tmp/pg/web/service.yml"
if "$exo" plugins --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
sys.exit(0 if any(p["name"] == "postgres" and p.get("config") for p in json.load(sys.stdin)) else 1)'; then
    run / --app "$tmp/pg"
    expect_rc 1 "postgres: misspelled key"
    grep -qxF "$tmp/pg/application.yml:5:5: error: resources.db: unknown key 'verison'; did you mean 'version'?" \
        "$tmp/err" || fail "postgres: misspelled key message"
else
    echo "note: the postgres plugin declares no keys yet; checked with the fixture plugin only"
fi

# What exo run refuses, exo check reports first: a service without startup.command on a
# backend that runs processes, at the startup key (or the top of service.yml).
mkdir -p "$tmp/nocmd/a" "$tmp/nocmd/b"
printf 'name: nocmd\nservices:\n  a:\n    location: a\n  b:\n    location: b\n' \
    >"$tmp/nocmd/application.yml"
printf 'type: worker\nstartup:\n  online-text: up\n' >"$tmp/nocmd/a/service.yml"
printf 'type: worker\n' >"$tmp/nocmd/b/service.yml"
run / --app "$tmp/nocmd"
expect_rc 1 "no startup.command"
grep -qxF "$tmp/nocmd/a/service.yml:2:1: error: service.yml has no startup.command, which the process backend needs to run role a; add startup: {command: ...}" \
    "$tmp/err" || fail "no startup.command: message at startup"
grep -qF "$tmp/nocmd/b/service.yml:1:1: error: service.yml has no startup.command" "$tmp/err" \
    || fail "no startup.command: message at the top"

# Usage.
run / --bogus
expect_rc 1 "unknown option"
grep -q "unknown option '--bogus'" "$tmp/err" || fail "unknown option: message"
run / --help
expect_rc 0 "--help"
grep -q '^Usage: exo check' "$tmp/out" || fail "--help: usage"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all exo check tests passed"
