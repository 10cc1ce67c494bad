# `exo tail` stops on Ctrl-C (SIGINT) or SIGTERM also while events flood in: a signal that
# lands between two waits of the client (while it prints an event) used to be lost, and exo
# tail then ran on until killed.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
A=$T/app
mkdir -p "$A"
cat > "$A/application.yml" <<'YML'
name: tail-stop
shutdown-grace: 2s
services:
  listener:
    location: ./listener
  talker:
    location: ./talker
    depends-on: [listener]
YML
# A flood that lasts longer than the test.
ping_pair "$A" 2000000000

"$EXO_BIN" run --app "$A" > "$T/out" 2>&1 &
EXO=$!
wait_for "$T/out" 'all services ready' 30
for i in 1 2 3 4 5 6 7 8 9 10; do
  sig=INT; [ $((i % 2)) = 0 ] && sig=TERM
  "$EXO_BIN" tail --app "$A" --json > "$T/tail$i" 2>&1 &
  TAIL=$!
  wait_for "$T/tail$i" '"name":"ping"' 10
  kill -$sig $TAIL
  wait_exit $TAIL 5
  [ "$RC" = 0 ] || { tail -3 "$T/tail$i"; fail "exo tail exited $RC on SIG$sig (round $i)"; }
done
kill -INT $EXO
wait_exit $EXO 20
[ "$RC" = 0 ] || { tail "$T/out"; fail "exo run exited $RC"; }
expect_nothing_left
pass "exo tail stopped on SIGINT and SIGTERM 10 times during a flood of events"
