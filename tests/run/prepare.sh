# The session is the one owner of prepare() (a backend's build): every service of an exo run
# is prepared once, before the first unit starts, its build output under its role; a --watch
# change prepares the service's setup task and then the service again before it restarts;
# exo test prepares a test task before it starts. The "journal" fixture backend writes each
# prepare() and start() it gets to .exo/journal.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
export EXO_PLUGIN_PATH=$EXO_PLUGIN_PATH:$EXO_TOP_BUILDDIR/tests/run/fixtures/.libs
A=$T/app
J=$A/.exo/journal
mkdir -p "$A"
cat > "$A/application.yml" <<'YML'
name: prepare-test
backend: journal
shutdown-grace: 1s
services:
  web:
    location: ./web
    depends-on: [api]
  api:
    location: ./api
YML
service "$A/api" "setup: make
test: make test
startup:
  command: ./api"
service "$A/web" "startup:
  command: ./web"
echo 1 > "$A/api/src.txt"

count() { grep -cx "$1" "$J"; }
first() { grep -nx "$1" "$J" | head -1 | cut -d: -f1; }
last() { grep -nx "$1" "$J" | tail -1 | cut -d: -f1; }

"$EXO_BIN" run --app "$A" --watch > "$T/out" 2>&1 &
EXO=$!
wait_for "$T/out" 'all services ready' 10
cat "$J"
[ "$(count 'prepare api service')" = 1 ] || fail "api was not prepared exactly once"
[ "$(count 'prepare web service')" = 1 ] || fail "web was not prepared exactly once"
[ "$(last 'prepare .* service')" -lt "$(first 'start .*')" ] ||
  fail "a unit started before every service was prepared"
[ "$(count 'start api service')" = 1 ] && [ "$(count 'start web service')" = 1 ] ||
  fail "each service should have started once"
expect_line "$T/out" '^ *api \| building$'
pass "exo run prepares every service once, before the first start"

echo 2 > "$A/api/src.txt"
for i in $(seq 100); do
  [ "$(count 'start api service')" = 2 ] && break
  sleep 0.05
done
cat "$J"
[ "$(count 'start api service')" = 2 ] || fail "api did not restart after the change"
[ "$(count 'prepare api task')" = 1 ] && [ "$(count 'start api task')" = 1 ] ||
  fail "the setup task was not prepared and started once"
[ "$(first 'prepare api task')" -lt "$(first 'start api task')" ] ||
  fail "the setup task started before it was prepared"
p=$(last 'prepare api service')
[ "$(count 'prepare api service')" = 2 ] && [ "$p" -gt "$(first 'start api task')" ] &&
  [ "$p" -lt "$(last 'start api service')" ] ||
  fail "api was not rebuilt between its setup and its restart"
[ "$(count 'prepare web service')" = 1 ] || fail "web was rebuilt by a change elsewhere"
kill -INT $EXO
wait_exit $EXO 10
[ "$RC" = 0 ] || { cat "$T/out"; fail "exo run exited $RC"; }
pass "a --watch change prepares the setup task, then the service again before its restart"

rm -f "$J"
"$EXO_BIN" test --app "$A" api > "$T/test" 2>&1 || { cat "$T/test"; fail "exo test failed"; }
cat "$J"
[ "$(first 'prepare api task')" -lt "$(first 'start api task')" ] ||
  fail "the test task started before it was prepared"
pass "exo test prepares its test task before it starts"
