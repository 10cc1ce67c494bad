# exo templates [--json]: what is found, where it comes from, what values it takes; the
# search order app > user > installed; and templates/local.mk installing every shipped file.
. "$(dirname "$0")/common.sh"
cd "$T"

run_exo 0 templates
for t in app c-service python-service worker; do
    grep -q "^$t  (.* template, installed: " "$T/out" || { cat "$T/out"; fail "$t not listed"; }
done
out_has "--set command=..."
out_has "--version X.Y.Z"
out_has "(required)"

# a user template shadows the installed one of the same name; an app template shadows both
mkdir -p "$XDG_DATA_HOME/exo/templates/worker/files"
printf 'name: worker\ndescription: my worker\nkind: service\nvalues:\n  speed: {description: how fast, default: "3"}\n' > "$XDG_DATA_HOME/exo/templates/worker/template.yml"
printf 'type: mine\n' > "$XDG_DATA_HOME/exo/templates/worker/files/service.yml"
mkdir -p "$XDG_DATA_HOME/exo/templates/broken"
printf 'name: [\n' > "$XDG_DATA_HOME/exo/templates/broken/template.yml"
run_exo 0 create app demo
mkdir -p demo/.exo/templates/local-one/files
printf 'name: local-one\ndescription: the app'"'"'s own\nkind: service\n' > demo/.exo/templates/local-one/template.yml
printf 'type: x\n' > demo/.exo/templates/local-one/files/service.yml

cd demo
run_exo 0 templates --json
err_has "template skipped"
/usr/bin/python3 - "$T/out" <<'PY' || fail "exo templates --json is wrong"
import json, sys
ts = json.load(open(sys.argv[1]))
by = {}
for t in ts:
    by.setdefault(t["name"], []).append(t)
assert [t["origin"] for t in ts][0] == "app", ts[0]
assert by["local-one"][0]["origin"] == "app"
assert [t["origin"] for t in by["worker"]] == ["user", "installed"], by["worker"]
assert [t["shadowed"] for t in by["worker"]] == [False, True]
mine = by["worker"][0]["values"]
assert [v for v in mine if not v["builtin"]] == [{"name": "speed", "description": "how fast", "default": "3", "required": False, "flag": "--set speed=VALUE", "builtin": False}], mine
assert [(v["name"], v["flag"], v["required"]) for v in mine if v["builtin"]] == [("role", "ROLE", True), ("description", "--description TEXT", False)], mine
inst = {v["name"]: v for v in by["worker"][1]["values"]}
assert inst["command"]["required"] and inst["command"]["flag"] == "--set command=VALUE", inst
assert not inst["description"]["builtin"] and inst["description"]["default"] == "A worker process", inst
app = {v["name"]: v for v in by["app"][0]["values"]}
assert app["version"]["default"] == "0.1.0" and app["app"]["flag"] == "NAME", app
assert by["c-service"][0]["kind"] == "service" and by["app"][0]["kind"] == "app"
assert "broken" not in by
PY
# and the user's worker is the one exo add uses
run_exo 0 add service w --template worker
grep -qx 'type: mine' w/service.yml || fail "user template not preferred over the installed one"
cd "$T"
run_exo 0 templates
grep -q '^worker \[shadowed\]' "$T/out" || { cat "$T/out"; fail "shadowed not marked"; }
! grep -q local-one "$T/out" || fail "an app's templates listed outside the app"

# nothing found: say where exo looked
EXO_TEMPLATE_PATH="$T/none" XDG_DATA_HOME="$T/none" run_exo 0 templates
out_has "No templates found"
out_has "$T/none (installed)"

# every shipped template file is installed (templates/local.mk is a hand-kept list)
if [ -n "${EXO_TOP_SRCDIR:-}" ]; then
    (cd "$EXO_TOP_SRCDIR" && find templates -type f ! -name local.mk | LC_ALL=C sort) > "$T/tree"
    sed -n 's/^\t\(templates\/[^ ]*\).*/\1/p' "$EXO_TOP_SRCDIR/templates/local.mk" | LC_ALL=C sort > "$T/listed"
    diff -u "$T/tree" "$T/listed" || fail "templates/local.mk does not list every template file"
    # and git tracks them all (the top .gitignore ignores every file named Makefile)
    # (only in a checkout: a release tarball unpacked inside some other repository is not one)
    top=$(git -C "$EXO_TOP_SRCDIR" rev-parse --show-toplevel 2>/dev/null || true)
    if [ -n "$top" ] && [ "$top" = "$(cd "$EXO_TOP_SRCDIR" && pwd -P)" ]; then
        git -C "$EXO_TOP_SRCDIR" ls-files templates | grep -v '^templates/local.mk$' | LC_ALL=C sort > "$T/tracked"
        diff -u "$T/listed" "$T/tracked" || fail "a template file is not in git (git add -f it)"
    fi
fi
echo "templates: ok"
