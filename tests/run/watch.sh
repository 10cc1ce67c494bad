# exo run --watch: a change under a service's directory runs its setup and restarts that
# service alone; editor temp files, .git and .exo are ignored.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
A=$T/app
mkdir -p "$A"
cat > "$A/application.yml" <<'YML'
name: watch-test
shutdown-grace: 1s
services:
  alpha:
    location: ./alpha
  beta:
    location: ./beta
YML
service "$A/alpha" "setup: echo built > build.out && echo setup ran
startup:
  command: echo alpha start; exec sleep 600
  online-text: alpha start"
service "$A/beta" "startup:
  command: echo beta start; exec sleep 600
  online-text: beta start"
mkdir -p "$A/alpha/.git" "$A/alpha/src"
echo 1 > "$A/alpha/src/code.txt"

"$EXO_BIN" run --app "$A" --watch > "$T/out" 2>&1 &
EXO=$!
wait_for "$T/out" 'all services ready' 10

# Noise first: none of this may restart anything.
touch "$A/alpha/.git/index" "$A/alpha/.code.txt.swp" "$A/alpha/code.txt~" "$A/alpha/x.o"
sleep 1
expect_no_line "$T/out" 'changed'

echo 2 > "$A/alpha/src/code.txt"
wait_for "$T/out" 'alpha \| setup ran' 10
wait_for "$T/out" 'alpha ready' 10
[ "$(grep -c 'alpha | alpha start' "$T/out")" = 2 ] || { sleep 0.5; \
  [ "$(grep -c 'alpha | alpha start' "$T/out")" = 2 ] || fail "alpha did not restart once"; }
# setup's own output file must not have caused another round
sleep 1.5
[ "$(grep -c 'alpha | alpha start' "$T/out")" = 2 ] || fail "alpha restarted more than once"
[ "$(grep -c 'beta | beta start' "$T/out")" = 1 ] || fail "beta was restarted"
expect_line "$T/out" 'alpha changed \(src/code.txt\)'
s=$(line_no "$T/out" 'alpha \| setup ran'); r=$(grep -n 'alpha | alpha start' "$T/out" | tail -1 | cut -d: -f1)
[ "$s" -lt "$r" ] || fail "alpha restarted before its setup ran"

# beta has no setup: it is simply restarted
echo x > "$A/beta/new-file"
wait_for "$T/out" 'beta changed \(new-file\)' 10
sleep 1
[ "$(grep -c 'beta | beta start' "$T/out")" = 2 ] || fail "beta did not restart"
[ "$(grep -c 'alpha | alpha start' "$T/out")" = 2 ] || fail "alpha restarted for beta's change"

kill -INT $EXO
wait_exit $EXO 10
cat "$T/out"
[ "$RC" = 0 ] || fail "exo exited $RC"
expect_nothing_left
pass "watch restarts only the touched service"
