# exo add service: rendering, registering without losing comments or order, and every refusal
# leaving the app exactly as it was.
. "$(dirname "$0")/common.sh"
cd "$T"
run_exo 0 create app demo
cd demo

# an application.yml written by hand: comments, odd key order, 4-space indentation
cat > application.yml <<'YML'
# The demo app.
version: 0.1.0   # bumped by hand
name: demo

services:
    # the front end
    web:
        location: ./web   # keep this comment
        depends-on: [db]

# resources come after services
resources: {}
YML
cp application.yml "$T/before.yml"

run_exo 0 add service ping --template c-service --description 'answers pings'
out_has "Added service 'ping'"
cat > "$T/want.yml" <<'YML'
# The demo app.
version: 0.1.0   # bumped by hand
name: demo

services:
    # the front end
    web:
        location: ./web   # keep this comment
        depends-on: [db]
    ping:
        location: ./ping

# resources come after services
resources: {}
YML
diff -u "$T/want.yml" application.yml || fail "application.yml lost its layout"
[ -f ping/service.yml ] && [ -f ping/Makefile ] && [ -f ping/src/handlers.c ] || fail "template not rendered"
grep -qx 'description: "answers pings"' ping/service.yml || fail "--description not used"
grep -q 'command: ./ping' ping/service.yml || fail "{{role}} not substituted"

# an existing role: nothing changes
cp application.yml "$T/after1.yml"
sum="$(tree_sum ping)"
run_exo 1 add service ping --template python-service
err_has "role 'ping' exists already"
cmp -s application.yml "$T/after1.yml" || fail "application.yml changed on a refused add"
[ "$(tree_sum ping)" = "$sum" ] || fail "ping/ changed on a refused add"

# a directory in the way: nothing changes
mkdir stray && echo x > stray/keep
run_exo 1 add service stray --template c-service
err_has "exists already"
cmp -s application.yml "$T/after1.yml" || fail "application.yml changed"
[ "$(ls -A stray)" = keep ] || fail "stray/ changed"

# missing values without a terminal name their flags
run_exo 1 add service api
err_has "missing --template NAME"
err_has "c-service"
run_exo 1 add service --template c-service
err_has "missing the service ROLE"
run_exo 1 add service tail --template worker
err_has "--set command=VALUE"
run_exo 1 add service tail --template worker --set nope=1
err_has "takes no value 'nope'"
run_exo 1 add service Bad --template c-service
err_has "starts with a lower-case letter"
# still refused, exit 1, when a --set came first (issue 17: it printed the error, exit 0)
run_exo 1 add service MyService --template worker --set command=true
err_has "starts with a lower-case letter"
[ ! -e MyService ] || fail "created MyService/"
run_exo 1 add service a_b --template c-service
err_has "only lower-case letters, digits and '-'"
run_exo 1 add service x --template no-such-template
err_has "no template named 'no-such-template'"
run_exo 1 add service x --template c-servise
err_has "did you mean 'c-service'"
run_exo 1 add service x --template app
err_has "makes an app, not a service"
cmp -s application.yml "$T/after1.yml" || fail "application.yml changed by refused adds"
no_temp_left .

# the worker wraps a command; from inside a service directory; with --app
(cd ping && run_exo 0 add service tail --template worker --set 'command=sleep 1000')
grep -qxF '  command: "sleep 1000"' tail/service.yml || fail "worker command not rendered"
cd "$T"
run_exo 0 add service py --template python-service --app demo
[ -f demo/py/handlers.py ] || fail "--app not used"
grep -q 'location: ./py' demo/application.yml || fail "py not registered"
run_exo 1 add service z --template c-service
err_has "no application.yml"
cd demo

# an app's own template (.exo/templates) wins; a failing one leaves nothing behind
mkdir -p .exo/templates/c-service/files
printf 'name: c-service\ndescription: local\nkind: service\n' > .exo/templates/c-service/template.yml
printf 'type: local\nrole: {{role}}\n{{oops}}\n' > .exo/templates/c-service/files/service.yml
cp application.yml "$T/after2.yml"
run_exo 1 add service loc --template c-service
err_has "service.yml:3:1: error: unknown placeholder {{oops}}"
[ ! -e loc ] || fail "half-rendered service left behind"
cmp -s application.yml "$T/after2.yml" || fail "application.yml changed by a failed render"
no_temp_left .
printf 'type: local\nrole: {{role}}\n' > .exo/templates/c-service/files/service.yml
run_exo 0 add service loc --template c-service
grep -qx 'type: local' loc/service.yml || fail "the app's own template was not preferred"

# an empty services: value and a missing services: key
cd "$T" && run_exo 0 create app e1 && cd e1
printf 'name: e1\nservices:\n' > application.yml
run_exo 0 add service one --template worker --set command=true
printf 'name: e1\nservices:\n  one:\n    location: ./one\n' | cmp -s - application.yml || { cat application.yml; fail "empty services: not filled"; }
printf '# no services yet\nname: e1\n' > application.yml
run_exo 0 add service two --template worker --set command=true
printf '# no services yet\nname: e1\nservices:\n  two:\n    location: ./two\n' | cmp -s - application.yml || { cat application.yml; fail "services: not added"; }

# on a terminal the role and template are asked for
if command -v script >/dev/null; then
    printf 'asked\n\n\n' | script -qec "'$EXO' add service" /dev/null >"$T/tty" 2>&1 || true
    grep -q 'Role of the new service' "$T/tty" || { cat "$T/tty"; fail "no prompt for ROLE"; }
    grep -q 'location: ./asked' application.yml || { cat "$T/tty"; fail "prompted add failed"; }
    grep -q 'type: c-service' asked/service.yml || fail "default template not c-service"
fi
# the app model accepts what the shipped templates render
if "$EXO" help | grep -q '^  check '; then
    cd "$T" && run_exo 0 create app valid && cd valid
    run_exo 0 add service c --template c-service
    run_exo 0 add service p --template python-service
    run_exo 0 add service w --template worker --set 'command=sleep 1000'
    run_exo 0 check
    out_has "ok: app valid, 3 services"
fi
echo "add: ok"
