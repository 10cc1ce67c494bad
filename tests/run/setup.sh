# exo setup: setup commands in parallel with prefixed output, a summary, the exit code of the
# first failure, EXO_CFLAGS/EXO_LIBS in the environment.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
A=$T/app
mkdir -p "$A"
cat > "$A/application.yml" <<'YML'
name: setup-test
services:
  one:
    location: ./one
  two:
    location: ./two
  bad:
    location: ./bad
  none:
    location: ./none
YML
# one and two wait for each other's marker: they only finish when run in parallel.
service "$A/one" "setup: touch ../one.started; for i in \$(seq 100); do [ -e ../two.started ] && break; sleep 0.05; done; [ -e ../two.started ] && echo \"one built with \$EXO_LIBS\""
service "$A/two" "setup: touch ../two.started; for i in \$(seq 100); do [ -e ../one.started ] && break; sleep 0.05; done; [ -e ../one.started ] && echo two built"
service "$A/bad" "setup: sleep 0.3; echo cannot build >&2; exit 7"
service "$A/none" "startup:
  command: exec sleep 1"

EXO_LIBS="-lexoservice-test" "$EXO_BIN" setup --app "$A" > "$T/out" 2>&1
RC=$?
cat "$T/out"
[ "$RC" = 7 ] || fail "exo setup exited $RC (want the failing setup's 7)"
expect_line "$T/out" '^ *one \| one built with -lexoservice-test$'
expect_line "$T/out" '^ *two \| two built$'
expect_line "$T/out" '^ *bad \| cannot build$'
expect_line "$T/out" 'none has no setup command, skipping'
expect_line "$T/out" 'summary: 2 set up, 1 failed, 1 without setup'
expect_line "$T/out" 'FAILED bad'
"$EXO_BIN" setup --app "$A" one two > "$T/ok" 2>&1 || { cat "$T/ok"; fail "passing setups exited non-zero"; }
expect_line "$T/ok" 'summary: 2 set up, 0 failed, 0 without setup'
expect_nothing_left
pass "parallel setup, summary, exit code"
