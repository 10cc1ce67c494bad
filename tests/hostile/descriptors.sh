#!/bin/bash
# Issue 18 finding 5: 1,100 connections that never register, against a broker started with
# the common soft descriptor limit of 1024 (before: from 1,008 on, real services and the
# control socket could no longer connect). The broker raises its soft limit to the hard one:
# a real service still registers and gets an answer, stats still answer. Then at a hard limit
# of 1024: connections that do not register are capped and timed out.
TIME_LIMIT=60
. "$EXO_TOP_SRCDIR/tests/hostile/hostile-lib.sh"
[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 4096 ] ||
  skip_or_fail "a hard descriptor limit of at least 4096 (ulimit -Hn is $(ulimit -Hn))"
make_app "web:users.get:users.got" "users:users.got:users.get"
( ulimit -Sn 1024; start_exo_bus; echo "$BUS_PID $EP $CTL $EXO_BUS_TOKEN" > "$T/bus.env"; wait "$BUS_PID" ) &
_exo_pids="$_exo_pids $!"
wait_for "$T/bus.env" . 20
read -r BUS_PID EP CTL EXO_BUS_TOKEN < "$T/bus.env"; export EXO_BUS_TOKEN
soft=$(awk '/Max open files/ {print $4}' "/proc/$BUS_PID/limits")
echo "broker soft descriptor limit: $soft (started with 1024)"
[ "$soft" -gt 1024 ] || fail "the broker kept the soft limit of 1024"
bg "$T/idle" $PY "$EXO_TOP_SRCDIR/tests/hostile/rawclient.py" idle "$EP" 1100; IDLE=$BG_PID
wait_for "$T/idle" '^open 1100$' 20
for i in $(seq 1 40); do
  n=$(ls "/proc/$BUS_PID/fd" | wc -l); [ "$n" -ge 1100 ] && break; sleep 0.25
done
echo "broker descriptors with 1,100 idle connections: $n"
[ "$n" -ge 1100 ] || fail "the idle connections did not reach the broker ($n descriptors)"
stats_prompt 2000
legit_request
assert_mem_below "$BUS_PID" 64 "1,100 idle connections"
kill "$IDLE"; kill "$BUS_PID"; wait "$IDLE" 2>/dev/null
sleep 0.5

# With a hard limit of 1024 there is nothing to raise: unregistered connections are capped at
# (1024 - 128) / 2 = 448, the oldest shut down first, and each may stay 3 s unregistered.
( ulimit -Sn 1024; ulimit -Hn 1024; start_exo_bus; echo "$BUS_PID $EP $CTL $EXO_BUS_TOKEN" > "$T/bus2.env"; wait "$BUS_PID" ) &
_exo_pids="$_exo_pids $!"
wait_for "$T/bus2.env" . 20
read -r BUS_PID EP CTL EXO_BUS_TOKEN < "$T/bus2.env"; export EXO_BUS_TOKEN; BUS_OUT="$T/exobus.out"
bg "$T/idle2" $PY "$EXO_TOP_SRCDIR/tests/hostile/rawclient.py" idle "$EP" 1100; IDLE=$BG_PID
wait_for "$T/idle2" '^open 1100$' 20
sleep 1.5
n=$(ls "/proc/$BUS_PID/fd" | wc -l)
echo "hard limit 1024, 1,100 idle connections: broker descriptors $n"
[ "$n" -lt 1000 ] || fail "the broker holds $n descriptors of 1024"
stats_prompt 2000
$PY -c 'import json,sys; s=json.load(open(sys.argv[1])); print("unregistered connections:", s["unregistered_connections"]); assert 0 < s["unregistered_connections"] <= 448, s' "$T/stats.json" 2>/dev/null ||
  { stats > "$T/stats.json"; $PY -c 'import json,sys; s=json.load(open(sys.argv[1])); print("unregistered connections:", s["unregistered_connections"]); assert 0 < s["unregistered_connections"] <= 448, s' "$T/stats.json" || fail "unregistered connections not capped"; }
legit_request
assert_mem_below "$BUS_PID" 64 "1,100 idle connections at a hard limit of 1024"
kill "$IDLE"; wait "$IDLE" 2>/dev/null
# Ten connections that stay idle: shut down after the 3 s grace.
bg "$T/idle3" $PY "$EXO_TOP_SRCDIR/tests/hostile/rawclient.py" idle "$EP" 10; IDLE=$BG_PID
wait_for "$T/idle3" '^open 10$' 10
sleep 5
grep -q "connection(s) that did not register within 3000 ms" "$BUS_OUT" || fail "idle connections were not timed out"
kill "$IDLE"; kill "$BUS_PID"
echo ok
