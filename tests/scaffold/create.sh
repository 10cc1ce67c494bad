# exo create app: the app template, flags, bad names, existing directories, prompts.
. "$(dirname "$0")/common.sh"
cd "$T"

run_exo 0 create app demo --description 'A "demo": app' --version 1.2.3
out_has "Created app 'demo'"
out_has "Next: cd demo && exo add service ROLE --template c-service"
grep -qx 'name: demo' demo/application.yml || fail "name missing"
grep -qx 'version: 1.2.3' demo/application.yml || fail "version missing"
grep -qxF 'description: "A \"demo\": app"' demo/application.yml || fail "description not quoted"
grep -qF '.exo/' demo/.gitignore || fail ".gitignore does not ignore .exo/"
/usr/bin/python3 -c 'import yaml' 2>/dev/null && {
    /usr/bin/python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); assert d["description"] == "A \"demo\": app", d' demo/application.yml || fail "application.yml does not parse back"
}

# defaults
run_exo 0 create app plain
grep -qx 'version: 0.1.0' plain/application.yml || fail "default version is not 0.1.0"

# the README: the description as its own paragraph, and with none no blank lines left for it;
# no placeholder link; a "Using exo" block that says the commands may ask for values
grep -qxF 'A "demo": app' demo/README.md || fail "README lacks the description"
awk 'prev == "" && $0 == "" && NR > 1 { bad = 1 } { prev = $0 } END { exit bad }' plain/README.md ||
    { cat -A plain/README.md; fail "README has blank lines left for an empty description"; }
[ "$(sed -n 1,3p plain/README.md)" = "$(printf '# plain\n\nAn application made of message-driven services, run by exo.')" ] ||
    { cat plain/README.md; fail "README does not start with the title and the paragraph"; }
grep -q 'https://github.com/)\|](https\?://' plain/README.md && fail "README links a placeholder URL"
grep -qx '## Using exo' plain/README.md || fail "README has no Using exo block"
grep -q 'On a terminal, `exo create app` and `exo add service` ask for the values' plain/README.md ||
    fail "README does not say that exo create and exo add may ask for values"
grep -q -- '--set NAME=VALUE' plain/README.md || fail "README does not say how to skip the questions"

# bad names: refused with the rule, nothing created
for bad in 'a b' a/b '.hidden' 'bad!' "$(printf 'x%.0s' $(seq 64))"; do
    run_exo 1 create app "$bad"
    err_has "not a valid app name"
    [ ! -e "$bad" ] || fail "created '$bad'"
done
run_exo 1 create app 'a b'
err_has "only letters, digits, '-' and '_'"
run_exo 1 create app _x
err_has "starts with a letter or a digit"
# still refused, exit 1, when a --set came first (issue 17: it printed the error, exit 0)
run_exo 1 create app 'bad name' --set foo=bar
err_has "not a valid app name"
[ ! -e 'bad name' ] || fail "created 'bad name'"

# existing directory or file: untouched
mkdir taken && echo keep > taken/file
run_exo 1 create app taken
err_has "exists already"
[ "$(ls -A taken)" = file ] || fail "existing directory was changed"
echo data > afile
run_exo 1 create app afile
err_has "exists already"
[ "$(cat afile)" = data ] || fail "existing file was changed"

# bad version
run_exo 1 create app v --version 1.2
err_has "X.Y.Z"
[ ! -e v ] || fail "created an app with a bad version"

# missing NAME without a terminal
run_exo 1 create app
err_has "missing the app NAME"
run_exo 1 create
err_has "exo create app NAME"
run_exo 1 create app x --bogus
err_has "unknown option '--bogus'"

# a template that fails to render leaves nothing behind
mkdir -p tpl/broken/files
printf 'name: broken\ndescription: b\nkind: app\n' > tpl/broken/template.yml
printf 'name: {{app}}\nowner: {{owner}}\n' > tpl/broken/files/application.yml
run_exo 1 create app half --template ./tpl/broken
err_has "application.yml:2:8: error: unknown placeholder {{owner}}"
[ ! -e half ] || fail "half-rendered app left behind"
no_temp_left .

# a service template is not an app template
run_exo 1 create app svc --template c-service
err_has "makes a service, not an app"

# on a terminal, missing values are asked for with defaults
if command -v script >/dev/null; then
    printf 'tty-app\nasked\n\n' | script -qec "'$EXO' create app" /dev/null >"$T/tty" 2>&1 || true
    grep -q 'Name of the new app \[my-app\]' "$T/tty" || { cat "$T/tty"; fail "no prompt for NAME"; }
    grep -qx 'version: 0.1.0' tty-app/application.yml || { cat "$T/tty"; fail "prompted create failed"; }
    grep -qx 'description: "asked"' tty-app/application.yml || fail "prompted description not used"
fi

run_exo 0 create --help
out_has "Usage: exo create app NAME"
no_temp_left .
echo "create: ok"
