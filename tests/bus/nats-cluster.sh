#!/bin/bash
# The bus on a 3-node NATS cluster (docs/bus-nats.md "Delivery guarantees"): exo's generated
# configuration (users and permissions) on three nats-servers routed together on loopback,
# two C instances of users spread over them, a Python requester on node 1. With requests
# running, node 1 is killed (-9): the requester is answered again within 2 s, no request hangs
# (each ends in a reply or an error within its timeout), traffic continues, and the messages
# lost meanwhile are counted (core NATS is at most once).
. "$EXO_TOP_SRCDIR/tests/bus/bus-lib.sh"
export EXO_BUS_TRANSPORT=nats PYTHONPATH="$EXO_TOP_SRCDIR/plugins/transport-zmq/python"
start_bus '{"roles": {
  "web":   {"sends": ["users.list"], "receives": ["users.listed"]},
  "users": {"sends": ["users.listed"], "receives": ["users.list"]}}}'
# Borrow busd's generated configuration (and the roles' secrets it printed), then stop it.
cp "$T/nats/server.conf" "$T/base.conf"
USERS_TOKEN=$(role_env users EXO_BUS_TOKEN); USERS_CONTRACT=$(role_env users EXO_BUS_CONTRACT)
WEB_TOKEN=$(role_env web EXO_BUS_TOKEN); WEB_CONTRACT=$(role_env web EXO_BUS_CONTRACT)
stop_bus

declare -a P C PID
for i in 1 2 3; do P[$i]=$(free_port); C[$i]=$(free_port); done
for i in 1 2 3; do
  routes=""
  for j in 1 2 3; do [ $j = $i ] || routes="$routes\"nats://127.0.0.1:${C[$j]}\", "; done
  sed "s/^listen: .*/listen: \"127.0.0.1:${P[$i]}\"/" "$T/base.conf" > "$T/n$i.conf"
  printf 'server_name: n%s\ncluster { name: exo, listen: "127.0.0.1:%s", routes: [%s] }\n' \
    "$i" "${C[$i]}" "$routes" >> "$T/n$i.conf"
  bg "$T/n$i.log" nats-server -c "$T/n$i.conf"
  PID[$i]=$BG_PID
done
for i in 1 2 3; do
  wait_for "$T/n$i.log" 'Server is ready' 10
done
# Each node routed to both others before any client comes.
deadline=$((SECONDS + 10))
for i in 1 2 3; do
  until [ "$(count_lines "$T/n$i.log" 'Route connection created')" -ge 2 ]; do
    [ $SECONDS -lt $deadline ] || fail "node $i did not join the cluster: $(cat "$T/n$i.log")"
    sleep 0.05
  done
done
ALL="nats://127.0.0.1:${P[1]},nats://127.0.0.1:${P[2]},nats://127.0.0.1:${P[3]}"
for u in u1 u2; do
  EXO_ROLE=users EXO_APP=test EXO_BUS_ENDPOINT=$ALL EXO_BUS_TOKEN=$USERS_TOKEN \
    EXO_BUS_CONTRACT=$USERS_CONTRACT bg "$T/$u" "$TSVC" --label $u --reply users.list=users.listed
  wait_for "$T/$u" '^users online$'
done

cat > "$T/requester.py" <<'PYEOF'
import os, sys, time, exo_service
svc = exo_service.Service(quiet=True)
assert svc.wait_online(5000), "web not online"
print("requesting", flush=True)
log, killed_at = [], None
while killed_at is None or time.time() < killed_at + 4.0:
    if killed_at is None and os.path.exists(sys.argv[1]):
        with open(sys.argv[1]) as f:
            killed_at = float(f.read().strip() or time.time())  # the shell's clock at the kill
    t0 = time.time()
    try:
        svc.request("users.list", {"n": len(log)}, 1000)
        outcome = "ok"
    except exo_service.Timeout:
        outcome = "timeout"
    except exo_service.BusError as e:
        outcome = e.kind
        svc.poll(20)  # reconnecting: the link comes back within its retry wait
    log.append((t0, time.time(), outcome))
before = [x for x in log if x[1] < killed_at]
during = [x for x in log if x[0] < killed_at <= x[1]]
after = [x for x in log if x[0] >= killed_at]
first_ok = min((x[1] for x in during + after if x[2] == "ok"), default=None)
print("before %d ok %d" % (len(before), sum(x[2] == "ok" for x in before)))
print("in-flight %d ok %d" % (len(during), sum(x[2] == "ok" for x in during)))
print("after %d ok %d" % (len(after), sum(x[2] == "ok" for x in after)))
bad = [x for x in during + after if x[2] != "ok"]
print("lost %d (timeouts %d, other errors %d)" % (len(bad), sum(x[2] == "timeout" for x in bad),
      sum(x[2] != "timeout" for x in bad)))
print("longest %.3f s" % max(x[1] - x[0] for x in log))
print("back after %.3f s" % ((first_ok - killed_at) if first_ok else 99))
PYEOF
EXO_ROLE=web EXO_BUS_ENDPOINT=$ALL EXO_BUS_TOKEN=$WEB_TOKEN EXO_BUS_CONTRACT=$WEB_CONTRACT \
  bg "$T/req" $PY "$T/requester.py" "$T/killed"
REQ=$BG_PID
wait_for "$T/req" '^requesting' 10
sleep 1  # traffic before the kill (the measurement runs on its own clock)
kill -9 "${PID[1]}"
date +%s.%N > "$T/killed.tmp" && mv "$T/killed.tmp" "$T/killed"
wait "$REQ" || fail "requester failed: $(cat "$T/req")"
cat "$T/req"
ok_before=$(awk '/^before/{print $4}' "$T/req"); ok_after=$(awk '/^after/{print $4}' "$T/req")
back=$(awk '/^back after/{print $3}' "$T/req"); longest=$(awk '/^longest/{print $2}' "$T/req")
[ "${ok_before:-0}" -gt 0 ] || fail "no traffic before the kill"
[ "${ok_after:-0}" -gt 10 ] || fail "traffic did not continue after the kill"
awk -v b="$back" 'BEGIN { exit !(b < 2.0) }' || fail "answered again only after $back s"
awk -v l="$longest" 'BEGIN { exit !(l < 1.5) }' || fail "a request took $longest s (hung past its 1 s timeout)"
grep '^lost' "$T/req"
echo ok
