#!/bin/bash
# Services that only receive stay registered under a stream longer than the broker's
# instance timeout (3.5 s): their SDK must keep pinging although it hears from the broker all
# the time. Found by the benchmark (fan-out through exo bus lost its receivers mid-stream).
. "$EXO_TOP_SRCDIR/tests/bus/bus-lib.sh"
$PY -c 'import zmq' 2>/dev/null || skip_or_fail "/usr/bin/python3 with zmq (python3-zmq)"
export PYTHONPATH="$EXO_TOP_SRCDIR/plugins/transport-zmq/python"
# Timing matters here (a steady stream for 5 s): the broker runs natively.
VALGRIND=
start_bus '{"roles": {"web": {"sends": ["tick"]}, "c": {"receives": ["tick"]},
                      "py": {"receives": ["tick"]}}}'
svc c "$T/c" --label c
EXO_ROLE=py EXO_BUS_ENDPOINT=$EP bg "$T/py" \
  $PY "$EXO_TOP_SRCDIR/plugins/transport-zmq/tests/tsvc.py" --label py
wait_for "$T/c" '^c online$'
wait_for "$T/py" '^py online$'
# One message every 5 ms for 5 s, from a sender that reports every bus error it gets.
EXO_ROLE=web EXO_BUS_ENDPOINT=$EP $PY - > "$T/web" 2>&1 <<'PYEOF' || fail "sender: $(cat "$T/web")"
import time, exo_service
svc = exo_service.Service(quiet=True)
errors = []
svc.on("exo.error", lambda m: errors.append(m.raw_payload.decode()))
assert svc.wait_online(5000)
end = time.monotonic() + 5.0
n = 0
while time.monotonic() < end:
    svc.send("tick", {"n": n})
    n += 1
    svc.poll(5)
deadline = time.monotonic() + 1.0
while time.monotonic() < deadline:
    svc.poll(50)
print("sent %d errors %d" % (n, len(errors)))
for e in errors[:3]:
    print("error " + e)
svc.close()
PYEOF
sent=$(awk '/^sent/{print $2}' "$T/web")
grep -q '^sent [0-9]* errors 0$' "$T/web" || fail "the sender got bus errors: $(cat "$T/web")"
for r in c py; do
  got=$(count_lines "$T/$r" '^got tick from web')
  [ "$got" = "$sent" ] || fail "$r received $got of $sent ticks"
done
# Neither receiver was expired and re-registered along the way.
grep -q '"reason":"timeout"' "$BUS_OUT" && fail "a receiver was expired: $(grep timeout "$BUS_OUT")"
stop_bus
echo ok
