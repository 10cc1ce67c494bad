# exo template check DIR: validates, renders into a throw-away app, runs exo setup and exo test
# there (when this exo has them), cleans up; fails on broken templates.
. "$(dirname "$0")/common.sh"
cd "$T"
mkdir "$T/tmp"
export TMPDIR="$T/tmp"
src="${EXO_TEMPLATE_PATH:?}"
build_tree_sdk
has_run=no
"$EXO" help | grep -q '^  setup ' && "$EXO" help | grep -q '^  test ' && has_run=yes

run_exo 0 template check "$src/app"
out_has "template app (app): manifest ok"
out_has "template check: ok"
run_exo 0 template check "$src/worker" --set 'command=sleep 1000'
out_has "template check: ok"
run_exo 1 template check "$src/worker"
err_has "--set command=VALUE"
[ -z "$(ls -A "$T/tmp")" ] || fail "template check left $(ls "$T/tmp")"

# a broken manifest, an unknown placeholder
mkdir -p bad/files
printf 'name: bad\nkind: servce\n' > bad/template.yml
run_exo 1 template check bad
err_has "template.yml:2:7: error: kind must be 'app' or 'service'"
err_has "missing key 'description'"
out_has "FAILED (manifest)"
printf 'name: bad\ndescription: d\nkind: service\n' > bad/template.yml
printf 'type: x\nx: {{nope}}\n' > bad/files/service.yml
run_exo 1 template check bad
err_has "service.yml:2:4: error: unknown placeholder {{nope}}"
out_has "FAILED (rendering)"
run_exo 1 template check
err_has "missing the template DIR"
[ -z "$(ls -A "$T/tmp")" ] || fail "template check left $(ls "$T/tmp")"

# a service.yml the app model rejects
if "$EXO" help | grep -q '^  check '; then
    printf 'type: x\nstartup: {command: true}\nbogus-key: 1\n' > bad/files/service.yml
    run_exo 1 template check bad
    out_has "FAILED (the rendered app does not validate)"
    err_has "bogus-key"
fi

if [ "$has_run" = no ]; then
    run_exo 0 template check "$src/c-service"
    out_has "rendering only"
    echo "template_check: ok (this exo has no setup/test: rendering checked only)"
    exit 0
fi

# with exo setup / exo test: a template whose tests fail is reported
mkdir -p failing/files
printf 'name: failing\ndescription: d\nkind: service\n' > failing/template.yml
printf 'type: worker\ndescription: d\nstartup:\n  command: sleep 1000\ntest: "false"\n' > failing/files/service.yml
run_exo 1 template check failing
out_has "FAILED (exo test"
for t in c-service python-service client; do
    run_exo 0 template check "$src/$t"
    out_has "running exo test"
    out_has "template check: ok"
done
[ -z "$(ls -A "$T/tmp")" ] || fail "template check left $(ls "$T/tmp")"
echo "template_check: ok"
