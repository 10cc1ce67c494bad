#!/bin/bash
# Issue 18 finding 4: a receiver that never reads cannot grow the broker: its queue is bounded
# in bytes (bus.queue-bytes, default 8m), the rest is dropped and counted on the route.
# 20,000 x 64 KiB and 8,000 x 256 KiB to a registered receiver that pings but never reads
# (before: RSS 1.07 GB and 2.36 GB). Bounds: 64 MiB, and 96 MiB with 256 KiB messages (the
# broker also holds up to 256 inbound frames per sending connection).
TIME_LIMIT=80
. "$EXO_TOP_SRCDIR/tests/hostile/hostile-lib.sh"
make_app "web:users.put,users.get:users.got" "users:users.got:users.put,users.get"
printf 'bus:\n  queue-bytes: 4m\n' >> "$A/application.yml"
start_exo_bus
bg "$T/dead" $PY "$EXO_TOP_SRCDIR/tests/hostile/rawclient.py" receiver "$EP" users; DEAD=$BG_PID
wait_for "$T/dead" registered
flood 20000 65536
sleep 0.5
counts=$(settled_counts users.put); echo "64 KiB: $counts"
read -r _ d _ x _ n <<< "$counts"
# (the flooding sender may close with frames still in its own queue: at most 20,000 arrive)
[ "$x" -gt 0 ] && [ $((d + x)) -le 20000 ] && [ "$n" = 0 ] || fail "64 KiB counts: $counts"
before=$((d + x))
assert_mem_below "$BUS_PID" 64 "20,000 x 64 KiB to a receiver that never reads"
flood 8000 262144
sleep 0.5
counts=$(settled_counts users.put); echo "after 256 KiB: $counts"
read -r _ d _ x _ n <<< "$counts"
[ $((d + x)) -gt "$before" ] && [ $((d + x)) -le $((before + 8000)) ] && [ "$n" = 0 ] ||
  fail "256 KiB counts: $counts"
assert_mem_below "$BUS_PID" 96 "8,000 x 256 KiB to a receiver that never reads"
grep -q "users (instance 1) is not keeping up" "$BUS_OUT" || fail "no log line for the stuck receiver"
kill "$DEAD"; wait "$DEAD" 2>/dev/null
sleep 4  # the stuck instance expires (3.5 s without a frame)
legit_request
# The key is declared and checked: a value that is not a size is refused.
sed -i 's/queue-bytes: 4m/queue-bytes: lots/' "$A/application.yml"
"$EXO_BIN" check --app "$A" > "$T/check" 2>&1 && fail "queue-bytes: lots accepted: $(cat "$T/check")"
grep -q "queue-bytes" "$T/check" || fail "$(cat "$T/check")"
kill "$BUS_PID"; wait "$BUS_PID"
echo ok
