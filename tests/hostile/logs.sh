# Issue 18 finding 9: logs are bounded. Each .exo/logs file rotates to ROLE.log.1 past
# log-max-size (here 64KiB), so a flood of output or of bus traffic keeps every log file under
# the bound; a flood of bad frames prints a few warnings and then one "N more like this
# suppressed" line instead of one warning per frame, and (issue 17 item 9) no trace line per
# frame besides: one line per event. The bus traffic that fills bus.log is routed messages.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
A=$T/app
mkdir -p "$A"
MAX=65536
cat > "$A/application.yml" <<'YML'
name: logs-test
shutdown-grace: 2s
log-max-size: 64KiB
services:
  chatty:
    location: ./chatty
  listener:
    location: ./listener
  talker:
    location: ./talker
    depends-on: [listener]
YML
# 4 MB of output, then ready.
service "$A/chatty" "startup:
  command: $PY -c \"import sys; [print('line %06d ' % i + 'z' * 90) for i in range(40000)]; print('chatty ready', flush=True)\"; exec sleep 600
  online-text: chatty ready"
# 3000 routed messages: a trace line each in bus.log, about 200 KB.
ping_pair "$A" 3000

"$EXO_BIN" run --app "$A" > "$T/out" 2>&1 &
EXO=$!
wait_for "$T/out" 'all services ready' 30
wait_for "$T/out" 'talker \| flooded 3000' 30
EP=$($PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["endpoint"])' "$A/.exo/bus.json")
$PY "$EXO_TOP_SRCDIR/tests/hostile/badframes.py" "$EP" 20000 > "$T/bad" 2>&1 || { cat "$T/bad"; fail "bad frames"; }
# Each error reply is a frame the broker has read: that many at least must be counted below.
read_frames=$(sed -n 's/^sent [0-9]* replies \([0-9]*\)$/\1/p' "$T/bad")
[ "${read_frames:-0}" -ge 2000 ] || fail "the broker answered only ${read_frames:-0} of 20000 bad frames: $(cat "$T/bad")"
kill -INT $EXO
wait_exit $EXO 20
[ "$RC" = 0 ] || { tail "$T/out"; fail "exo run exited $RC"; }

ls -l "$A/.exo/logs" >&2
for f in "$A"/.exo/logs/*; do
  size=$(stat -c %s "$f")
  [ "$size" -le "$MAX" ] || fail "$f is $size bytes, more than log-max-size ($MAX)"
done
[ -s "$A/.exo/logs/chatty.log.1" ] || fail "chatty.log was not rotated"
[ -s "$A/.exo/logs/bus.log.1" ] || fail "bus.log was not rotated"
expect_line "$A/.exo/logs/chatty.log" 'chatty ready'
grep -q 'line 039999 ' "$T/out" || fail "the terminal lost lines"

warnings=$(grep -c 'warning: .*rejected a frame' "$T/out")
[ "$warnings" -le 10 ] || fail "$warnings warnings for 20000 bad frames"
expect_line "$T/out" 'warning: transport zmq: [0-9]+ more like "rejected a frame from %s: %s" suppressed in the last [0-9]+ s'
# the warnings are the frames' one line each: no trace line per frame besides
expect_no_line "$T/out" '\((malformed|invalid-name): '
total=$(( warnings + $(grep -oE '[0-9]+ more like "rejected a frame' "$T/out" | awk '{ s += $1 } END { print s + 0 }') ))
# Those the broker read before the stop (it may not have read all 20000 yet): all counted.
[ "$total" -ge "$read_frames" ] || fail "only $total rejected frames reported; the broker answered $read_frames"
expect_nothing_left
pass "logs rotate at log-max-size; $total bad frames: $warnings warnings and a suppression count"
