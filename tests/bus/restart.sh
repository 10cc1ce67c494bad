#!/bin/bash
# A service started before the broker connects when it comes up; after a broker restart on
# the same endpoint, services re-register on their own (printing the readiness line once).
. "$EXO_TOP_SRCDIR/tests/bus/bus-lib.sh"
ROUTES='{"roles": {"web": {"sends": ["users.list"], "receives": ["users.listed"]},
                   "users": {"sends": ["users.listed"], "receives": ["users.list"]}}}'
EP="tcp://127.0.0.1:$(free_port)"
# The service starts before the broker: it knows the user token the broker will take.
EXO_BUS_TOKEN=$($PY -c 'import secrets; print(secrets.token_hex(32))'); export EXO_BUS_TOKEN
svc users "$T/u" --label u --reply users.list=users.listed
sleep 0.3
grep -q online "$T/u" && fail "online without a broker"
start_bus "$ROUTES" "$EP" --token "$EXO_BUS_TOKEN"
wait_for "$T/u" '^users online$' 5
EXO_ROLE=web EXO_BUS_ENDPOINT=$EP "$TSVC" --request users.list 3000 > "$T/r1" || fail "request 1: $(cat "$T/r1")"

stop_bus
start_bus "$ROUTES" "$EP" --token "$EXO_BUS_TOKEN"
t0=$(date +%s%N)
for i in $(seq 1 60); do
  "$BUSD" stats "$CTL" > "$T/stats" 2>/dev/null && grep -q '"users":{"instances":\[{' "$T/stats" && break
  sleep 0.05
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
grep -q '"users":{"instances":\[{' "$T/stats" || fail "users did not re-register: $(cat "$T/stats")"
echo "re-registered after ${ms} ms"
[ "$ms" -le 2000 ] || fail "re-registration took $ms ms"
EXO_ROLE=web EXO_BUS_ENDPOINT=$EP "$TSVC" --request users.list 3000 > "$T/r2" || fail "request 2: $(cat "$T/r2")"
[ "$(count_lines "$T/u" '^users online$')" = 1 ] || fail "readiness line printed again: $(cat "$T/u")"
echo ok
