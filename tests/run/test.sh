# exo test: per-service tests with needed roles running, shared locations tested once,
# skipped services, summary, exit codes, JUnit XML, and running from a service directory.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
A=$T/app
mkdir -p "$A"
cat > "$A/application.yml" <<'YML'
name: test-test
shutdown-grace: 1s
services:
  backend:
    location: ./backend
  frontend:
    location: ./frontend
    needs: [backend]
  store-a:
    location: ./store
  store-b:
    location: ./store
  docs:
    location: ./docs
  broken:
    location: ./broken
YML
service "$A/backend" "startup:
  command: exec $PY -m http.server \$PORT --bind 127.0.0.1
port: 7000
test: echo backend tests ok"
# frontend's tests reach the backend it needs, through the variables exo gives it.
service "$A/frontend" "startup:
  command: exec sleep 600
test: $PY -c \"import os, urllib.request; urllib.request.urlopen(os.environ['BACKEND_URL']); print('reached backend')\""
service "$A/store" "startup:
  command: exec sleep 600
test: echo store tested >> ../store-runs.txt"
service "$A/docs" "startup:
  command: exec sleep 600"
service "$A/broken" "startup:
  command: exec sleep 600
test: echo about to fail; exit 4"

(cd "$A" && "$EXO_BIN" test --junit "$T/report.xml") > "$T/out" 2>&1
RC=$?
cat "$T/out"
[ "$RC" = 1 ] || fail "exo test exited $RC with a failing service (want 1)"
expect_line "$T/out" 'frontend \| reached backend'
expect_line "$T/out" 'backend \| backend tests ok'
expect_line "$T/out" 'broken \| about to fail'
expect_line "$T/out" 'broken tests failed with exit code 4'
expect_line "$T/out" 'docs has no test command, skipping'
expect_line "$T/out" 'summary: 3 passed, 1 failed, 1 skipped'
expect_line "$T/out" 'FAILED  broken: tests failed with exit code 4'
[ "$(wc -l < "$A/store-runs.txt")" = 1 ] || fail "a shared location was tested more than once"
expect_nothing_left
$PY - "$T/report.xml" <<'PY' || fail "JUnit report is wrong"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suite = root.find("testsuite")
assert suite.get("tests") == "5" and suite.get("failures") == "1" and suite.get("skipped") == "1", suite.attrib
cases = {c.get("name"): c for c in suite.findall("testcase")}
assert set(cases) == {"backend", "broken", "docs", "frontend", "store-a"}, cases.keys()
assert cases["broken"].find("failure").get("message") == "tests failed with exit code 4"
assert cases["docs"].find("skipped") is not None
assert cases["frontend"].find("failure") is None
PY
pass "summary, exit 1, JUnit"

# Inside a service directory only that service is tested.
(cd "$A/backend" && "$EXO_BIN" test) > "$T/one" 2>&1 || { cat "$T/one"; fail "backend alone failed"; }
cat "$T/one"
expect_line "$T/one" 'summary: 1 passed, 0 failed, 0 skipped'
expect_no_line "$T/one" 'frontend|broken'
# Roles named on the command line; all passing gives 0.
"$EXO_BIN" test --app "$A" frontend docs > "$T/two" 2>&1 || { cat "$T/two"; fail "exit $? for passing tests"; }
expect_line "$T/two" 'summary: 1 passed, 0 failed, 1 skipped'
"$EXO_BIN" test --app "$A" nosuch > "$T/bad" 2>&1 && fail "unknown role accepted"
expect_line "$T/bad" "has no role 'nosuch'"
expect_nothing_left
pass "service directory and role selection"

# Ctrl-C during a test run stops everything like exo run, exit 1.
service "$A/broken" "startup:
  command: exec sleep 600
test: echo long test started; sleep 600"
"$EXO_BIN" test --app "$A" broken frontend > "$T/int" 2>&1 &
EXO=$!
wait_for "$T/int" 'broken \| long test started' 10
kill -INT $EXO
wait_exit $EXO 10
cat "$T/int"
[ "$RC" = 1 ] || fail "exo test exited $RC after Ctrl-C (want 1)"
expect_line "$T/int" 'interrupted'
expect_no_line "$T/int" 'frontend \| reached backend'
expect_line "$T/int" 'summary: 0 passed, 1 failed, 0 skipped, 1 not run'
expect_line "$T/int" 'not run frontend'
expect_nothing_left
pass "Ctrl-C during exo test"

# A needed role whose command does not exist (issue 17 item 6): the test fails at once, naming
# the role, its exit status and its output; the test command never runs. Before the fix the
# role counted as ready ("started") and the test ran against nothing.
N=$T/needs-missing
mkdir -p "$N"
cat > "$N/application.yml" <<'YML'
name: needs-missing
shutdown-grace: 1s
services:
  api:
    location: ./api
  client:
    location: ./client
    needs: [api]
YML
service "$N/api" "startup:
  command: no-such-api-server-exo-test"
service "$N/client" "startup:
  command: exec sleep 600
test: echo client test ran"
"$EXO_BIN" test --app "$N" client > "$T/nm" 2>&1 &
EXO=$!
wait_exit $EXO 15
cat "$T/nm"
[ "$RC" = 1 ] || fail "exo test exited $RC when a needed role could not run (want 1)"
expect_line "$T/nm" 'api failed: exited with code 127 \(command not found\) before it was ready'
expect_line "$T/nm" '^ *exo \|   .*no-such-api-server-exo-test: (command )?not found$'
expect_line "$T/nm" 'client what the tests need failed to come up'
expect_no_line "$T/nm" 'client test ran|api ready'
expect_nothing_left
pass "a needed role that cannot run fails the test at once"
