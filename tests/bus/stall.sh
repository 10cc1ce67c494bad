#!/bin/bash
# A service stopped (SIGSTOP) for longer than the broker's 3.5 s expiry, then continued
# (SIGCONT), re-registers and carries on: both clients, the Python exo_service (whose handler
# replies to what arrived during the stall) and libexoservice (tsvc), against a real
# `exo bus`. Before issue 17 item 19 the Python service died of an uncaught
# BusError('not-registered') in svc.reply (when it noticed the silence before the message).
# Each reconnect is announced online once (issue 17 item 10), though the client repeats its
# registration until the broker answers.
. "$EXO_TOP_SRCDIR/tests/bus/bus-lib.sh"
exo=${EXO_BIN:?EXO_BIN not set}
[ -x "$TSVC" ] || fail "tsvc is not built"
$PY -c 'import zmq' 2>/dev/null || skip_or_fail "python3-zmq"
export PYTHONPATH="$EXO_TOP_SRCDIR/plugins/transport-zmq/python"

app="$T/app"
mkdir -p "$app/py" "$app/c" "$app/client"
cat >"$app/application.yml" <<'YML'
name: stall
services:
  py:
    location: ./py
  c:
    location: ./c
  client:
    location: ./client
YML
printf 'startup:\n  command: ./py.py\nmessages:\n  receives: [ping]\n  sends: [pong]\n' >"$app/py/service.yml"
printf 'startup:\n  command: ./c\nmessages:\n  receives: [cping]\n  sends: [cpong]\n' >"$app/c/service.yml"
printf 'startup:\n  command: sleep 1000\nmessages:\n  sends: [ping, cping]\n  receives: [pong, cpong]\n' \
  >"$app/client/service.yml"
cat >"$T/py.py" <<'PY'
import sys
import exo_service

svc = exo_service.Service(label="py")

@svc.on("ping")
def ping(msg):
    print("got", msg.payload, flush=True)
    svc.reply(msg, "pong", msg.payload)

svc.run()
svc.close()
PY

EP="tcp://127.0.0.1:$(free_port)"
bg "$T/bus.out" "$exo" bus --app "$app" --listen "$EP"
BUS=$BG_PID
wait_for "$T/bus.out" 'listening|endpoint|tcp://' 10
use_bus_token "$app"
# First the client's own rule, without timing: a message handled after the client noticed the
# broker's silence (online false, as after a stall) must not end the service. Closed after, so
# that it does not share the role with the service below.
cat >"$T/rule.py" <<'PY'
import sys
import exo_service

svc = exo_service.Service(role="py", endpoint=sys.argv[1], label="rule", quiet=True)
if not svc.wait_online(5000):
    sys.exit("not online")
svc.on("ping", lambda msg: svc.reply(msg, "pong", msg.payload))
svc.online = False  # what poll() sets after 3 s without a frame from the broker
svc._dispatch(exo_service.Message("ping", "id-1", "act-1", "client", "", b'{"n": 0}'))
svc.close()
print("carried on")
PY
$PY "$T/rule.py" "$EP" >"$T/rule.out" 2>&1 || { cat "$T/rule.out"; fail "a send after a lost registration ended the handler's service"; }
grep -qx "carried on" "$T/rule.out" || { cat "$T/rule.out"; fail "rule.py did not finish"; }
grep -q "not handled to the end: .*lost its registration" "$T/rule.out" ||
  { cat "$T/rule.out"; fail "the lost reply was not said"; }

EXO_ROLE=py EXO_BUS_ENDPOINT=$EP bg "$T/py.out" $PY "$T/py.py"
PYSVC=$BG_PID
svc c "$T/c.out" --label c --reply cping=cpong
CSVC=$BG_PID
wait_for "$T/py.out" '^py online$' 10
wait_for "$T/c.out" '^c online$' 10

# send NAME N: exo send as client, waiting for the reply; output in $T/reply.NAME.N
send() {
  "$exo" send --app "$app" --as client "$1" "{\"n\": $2}" --wait --timeout "${3:-3000}" \
    >"$T/reply.$1.$2" 2>&1
}
send ping 1 || fail "no pong before the stall: $(cat "$T/reply.ping.1")"
send cping 1 || fail "no cpong before the stall: $(cat "$T/reply.cping.1")"

# stall K: stop both services past the broker's expiry, sending each a message meanwhile
# (delivered into their sockets, handled after the continue, when the broker has dropped them:
# the bus buffers nothing, so those replies are lost); then both must be alive and answer.
stall() {
  local k=$1 name ok i
  kill -STOP "$PYSVC" "$CSVC"
  sleep 0.5
  send ping "${k}0" 200 &
  send cping "${k}0" 200 &
  sleep 4.5 # past the broker's 3.5 s expiry
  kill -CONT "$PYSVC" "$CSVC"
  wait_for "$T/py.out" "got \\{.n.: ${k}0\\}" 5
  wait_for "$T/c.out" "got cping .*payload \\{\"n\":${k}0\\}" 5
  sleep 1.5
  kill -0 "$PYSVC" 2>/dev/null || { cat "$T/py.out"; fail "the Python service died after stall $k"; }
  kill -0 "$CSVC" 2>/dev/null || { cat "$T/c.out"; fail "the C service died after stall $k"; }
  # both are registered again and answer (within a few seconds of the continue)
  for name in ping cping; do
    ok=no
    for i in 1 2 3 4 5 6; do
      send $name "$k$i" 1000 && { ok=yes; break; }
    done
    [ $ok = yes ] || { cat "$T/py.out" "$T/c.out" "$T/bus.out"; fail "no reply to $name after stall $k"; }
    grep -q "\"n\": *$k$i" "$T/reply.$name.$k$i" ||
      fail "the reply to $name $k$i lacks its payload: $(cat "$T/reply.$name.$k$i")"
  done
}
# Three times: after the continue, the Python client may handle the message before or after it
# notices the broker's silence (which of the two is a race); the second way is what crashed.
stall 1
stall 2
stall 3
grep -q "Traceback" "$T/py.out" && { cat "$T/py.out"; fail "the Python service raised"; }
# The lost replies are said in the service's own output: refused by the client when it noticed
# the broker's silence first ("not handled to the end"), else by the broker (a bus error).
[ "$(grep -Ec "^py: ('ping' not handled to the end: .*lost its registration|bus error: .*not-registered)" \
  "$T/py.out")" = 3 ] || { cat "$T/py.out"; fail "the Python service did not say its replies were lost"; }
[ "$(grep -c '^py online$' "$T/py.out")" = 1 ] || fail "py printed its readiness line again"
[ "$(grep -c '^c online$' "$T/c.out")" = 1 ] || fail "c printed its readiness line again"
# One announcement per real change (issue 17 item 10): a client repeats its registration until
# the broker answers, and after a stall several are queued; each is answered, but the bus says
# "online" once per reconnect: c went online 4 times (start and three stalls), each instance once.
dups=$(grep -oE '^(py|c) online \(instance [0-9]+' "$T/bus.out" | sort | uniq -d)
[ -z "$dups" ] || { cat "$T/bus.out"; fail "announced online more than once: $dups"; }
[ "$(grep -c '^c online (instance' "$T/bus.out")" = 4 ] ||
  { cat "$T/bus.out"; fail "c did not go online once at the start and once after each stall"; }
cat "$T/py.out" "$T/c.out"
echo "ok: both clients re-registered after three 5 s stalls, announced online once each time, and carried on"
