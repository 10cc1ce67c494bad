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

# Usage.
run / --bogus
expect_rc 1 "unknown option"
grep -q "unknown option '--bogus'" "$tmp/err" || fail "unknown option: message"
run / --help
expect_rc 0 "--help"
grep -q '^Usage: exo check' "$tmp/out" || fail "--help: usage"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all exo check tests passed"
