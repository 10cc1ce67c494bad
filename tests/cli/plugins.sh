#!/bin/bash
# tests/cli/plugins.sh - `exo plugins` and `exo plugins --json` against the fixture plugins:
# broken plugins are listed with their reasons and exo still exits 0.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
PY=/usr/bin/python3
[ -x "$PY" ] || { [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "no $PY"; echo "skip: no $PY"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/exo-plugins.XXXXXX") || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
fx="$EXO_TOP_BUILDDIR/tests/fixtures/plugins/.libs"
dup="$EXO_TOP_BUILDDIR/tests/fixtures/plugins-dup/.libs"
# The ABI this exo was built with: fixtures built against its headers report it.
EXO_ABI_MINOR=$(sed -n 's/^#define EXO_PLUGIN_ABI_MINOR //p' "$EXO_TOP_BUILDDIR/plugin-api/exo/version.h")
export EXO_ABI_MINOR
[ -f "$fx/good.so" ] || fail "fixture plugins not built in $fx"
fx=$(cd "$fx" && pwd) dup=$(cd "$dup" && pwd)
export EXO_PLUGIN_PATH="$fx:$dup"
cd "$tmp" || fail "cd"

# JSON: parsed, every key present, each fixture with the status and message it deserves.
# Engines are asked only with --probe (asking podman takes longer than the whole listing).
"$EXO_BIN" plugins --json --probe >out.json 2>err.txt
rc=$?
[ $rc -eq 0 ] || fail "exo plugins --json exited $rc: $(cat err.txt)"
grep -q "duplicate\|found first" err.txt || fail "no duplicate warning on stderr: $(cat err.txt)"
cat >check.py <<'PYEOF'
import json, os, sys
abi = "1." + os.environ["EXO_ABI_MINOR"]
next_abi = "1." + str(int(os.environ["EXO_ABI_MINOR"]) + 1)
fx, dup = sys.argv[1], sys.argv[2]
data = json.load(sys.stdin)
assert isinstance(data, list), data
by_path = {p["path"]: p for p in data}
for p in data:
    for k in ("name", "kind", "version", "abi", "path", "status", "error"):
        assert k in p, (k, p)
    assert p["status"] in ("ok", "error"), p  # skipped: app-local only, none here
    assert (p["error"] is None) == (p["status"] == "ok"), p
def get(d, f):
    p = by_path.get(d + "/" + f)
    assert p is not None, (f, sorted(by_path))
    return p
g = get(fx, "good.so")
assert (g["name"], g["kind"], g["version"], g["abi"], g["status"]) == \
    ("good", "backend", "1.2.3", abi, "ok"), g
assert g["engine"] == "ok", g
w = get(fx, "wrong_major.so")
assert w["status"] == "error" and w["name"] == "wrong-major" and w["abi"] == "2.3", w
assert "ABI 2.3" in w["error"] and "ABI " + abi in w["error"], w
assert "exo-plugin.pc" in w["error"], w
assert get(fx, "newer_minor.so")["status"] == "ok"
assert get(fx, "newer_minor.so")["abi"] == next_abi
checks = {
    "no_symbol.so": "does not export exo_plugin_describe",
    "null_desc.so": "returned NULL",
    "small_desc.so": "smaller than",
    "null_op.so": "mandatory operation start is NULL",
    "init_fails.so": "init failed: the fixture engine is switched off",
}
for f, text in checks.items():
    p = get(fx, f)
    assert p["status"] == "error" and text in p["error"], (f, p)
d = get(dup, "dup.so")
assert d["status"] == "error" and d["error"] == "duplicate of " + fx + "/good.so", d
print("json ok:", len(data), "plugins")
PYEOF
"$PY" check.py "$fx" "$dup" <out.json || fail "JSON assertions (above)"
"$EXO_BIN" plugins --json >noprobe.json 2>/dev/null || fail "exo plugins --json exited $?"
"$PY" -c 'import json,sys; d=json.load(open("noprobe.json")); assert d and not [p for p in d if "engine" in p], d' \
    || fail "engine probed without --probe: $(cat noprobe.json)"

# Human table: one row per plugin, errors under their row.
"$EXO_BIN" plugins >out.txt 2>/dev/null || fail "exo plugins exited $?"
head -1 out.txt | grep -q "^NAME *KIND *VERSION *ABI *STATUS *PATH" || fail "header: $(head -1 out.txt)"
grep -q "^good  *backend  *1.2.3  *1.$EXO_ABI_MINOR  *ok  *$fx/good.so" out.txt || fail "good row: $(cat out.txt)"
grep -q "^wrong-major .* error " out.txt || fail "wrong-major row: $(cat out.txt)"
grep -q "error: plugin wrong-major was built for exo plugin ABI 2.3 but this exo provides ABI 1.$EXO_ABI_MINOR" \
    out.txt || fail "wrong-major message: $(cat out.txt)"
grep -q "engine: not probed (exo plugins --probe asks it)" out.txt || fail "no engine line: $(cat out.txt)"
"$EXO_BIN" plugins --probe >probe.txt 2>/dev/null || fail "exo plugins --probe exited $?"
grep -q "engine: ok" probe.txt || fail "no probed engine line: $(cat probe.txt)"
grep -q $'\033' out.txt && fail "colour codes when stdout is no terminal"

# --json shows each plugin's declared keys and section (null: declares none, not checked);
# the table stays as it is.
keys="$EXO_TOP_BUILDDIR/tests/fixtures/plugins-keys/.libs"
old="$EXO_TOP_BUILDDIR/tests/fixtures/plugins-abi10/.libs"
EXO_PLUGIN_PATH="$keys:$old" "$EXO_BIN" plugins --json >keys.json 2>err.txt \
    || fail "--json with declared keys: $(cat err.txt)"
"$PY" - keys.json <<'PYEOF' || fail "declared keys in --json"
import json, sys
by = {p["name"]: p for p in json.load(open(sys.argv[1]))}
k = by["keyed"]
assert k["config_section"] is None, k
assert [c["name"] for c in k["config"]] == ["version", "image", "persistence", "memory",
                                            "ratio", "databases", "extra", "token"], k
assert k["config"][0] == {"name": "version", "type": "int", "default": "15",
                          "doc": "server major version", "required": False, "secret": False}, k
assert k["config"][7]["required"] and k["config"][7]["secret"], k
assert k["config"][7]["default"] is None, k
assert by["boxed"]["config_section"] == "box", by["boxed"]
assert by["plain"]["config"] == [] and by["plain"]["config_section"] is None, by["plain"]
assert by["bare"]["config"] is None, by["bare"]
assert by["old"]["config"] is None and by["old"]["abi"] == "1.0", by["old"]
assert by["keybus"]["config_section"] == "bus", by["keybus"]
PYEOF
EXO_PLUGIN_PATH="$keys" "$EXO_BIN" plugins >keys.txt 2>/dev/null || fail "table with keys"
grep -q "^keyed  *resource  *1.0.0  *1.$EXO_ABI_MINOR  *ok  *$keys/resource_keyed.so\$" keys.txt \
    || fail "keyed row: $(cat keys.txt)"
grep -q "version\|token" keys.txt && fail "the table shows keys: $(cat keys.txt)"

# --app DIR: app-local plugins are searched (no application.yml needed for listing): listed
# unopened (skipped) unless --load-app (tests/cli/plugin_trust.sh has more).
mkdir -p app/.exo/plugins && cp "$fx/good.so" app/.exo/plugins/
EXO_PLUGIN_PATH= "$EXO_BIN" plugins --app app --json >app.json 2>err.txt || fail "--app: $(cat err.txt)"
"$PY" -c 'import json,sys; d=json.load(open("app.json")); assert [p["status"] for p in d if p["path"].endswith("/app/.exo/plugins/good.so")] == ["skipped"], d' \
    || fail "app-local plugin not listed as skipped"
EXO_PLUGIN_PATH= "$EXO_BIN" plugins --app app --load-app --json >app.json 2>err.txt || fail "--app: $(cat err.txt)"
"$PY" -c 'import json,sys; d=json.load(open("app.json")); assert [p["status"] for p in d if p["path"].endswith("/app/.exo/plugins/good.so")] == ["ok"], d' \
    || fail "app-local plugin not loaded with --load-app"

# The same plugin at the same version found twice (a build tree over an installed exo): listed
# as a duplicate, but no warning a user would have to act on.
mkdir -p same && cp "$fx/good.so" same/
EXO_PLUGIN_PATH="$fx:$tmp/same" "$EXO_BIN" plugins --json >same.json 2>err.txt || fail "same version"
grep -q "good" err.txt && fail "a same-version duplicate warns: $(cat err.txt)"
"$PY" -c 'import json,sys; d=[p for p in json.load(open("same.json")) if p["path"].endswith("/same/good.so")]; assert d and d[0]["error"].startswith("duplicate of "), d' \
    || fail "same-version duplicate not listed: $(cat same.json)"

# EXO_NO_INSTALLED_PLUGINS=1 (set for the whole suite) leaves the installed directory out: not
# one plugin may come from it, even on a machine where `make install` put exo's plugins there.
installed=$("$EXO_BIN" plugins --help | sed -n 's/.*the installed plugin directory (\(.*\)),$/\1/p')
[ -n "$installed" ] || fail "no installed directory in exo plugins --help"
EXO_NO_INSTALLED_PLUGINS=1 "$EXO_BIN" plugins --json >noinst.json 2>/dev/null || fail "no installed"
grep -q "\"$installed/" noinst.json && fail "EXO_NO_INSTALLED_PLUGINS=1 still loads $installed"
if ls "$installed"/*.so >/dev/null 2>&1; then
    EXO_NO_INSTALLED_PLUGINS= "$EXO_BIN" plugins --json >inst.json 2>/dev/null || fail "installed"
    grep -q "\"$installed/" inst.json || fail "plugins installed in $installed are not listed"
fi

# Relative EXO_PLUGIN_PATH entries are skipped with a warning.
EXO_PLUGIN_PATH=relative/dir "$EXO_BIN" plugins --json >/dev/null 2>err.txt || fail "relative path"
grep -q "ignoring relative directory 'relative/dir'" err.txt || fail "no relative-path warning"

# Usage errors exit 1, --help 0.
"$EXO_BIN" plugins --bogus >/dev/null 2>err.txt; rc=$?
[ $rc -eq 1 ] || fail "unknown option exited $rc"
grep -q "unknown option '--bogus'" err.txt || fail "unknown option message: $(cat err.txt)"
"$EXO_BIN" plugins --app "$tmp/nope" >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] || fail "--app missing dir exited $rc"
"$EXO_BIN" plugins --help | grep -q "^Usage: exo plugins" || fail "--help"
echo "plugins.sh: ok"
