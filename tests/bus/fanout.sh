#!/bin/bash
# Fan-out across roles, load balancing within a role, sticky replies, denied send with an
# error back, offline receiver (no-receiver error naming the role), and stats counters.
. "$EXO_TOP_SRCDIR/tests/bus/bus-lib.sh"
start_bus '{"roles": {
  "web":    {"sends": ["users.list", "ping"], "receives": ["users.listed"]},
  "users":  {"sends": ["users.listed"], "receives": ["users.list"]},
  "audit":  {"receives": ["users.list"]},
  "mailer": {"receives": ["ping"]}}}'

svc users "$T/u1" --label u1 --reply users.list=users.listed; wait_for "$T/u1" '^users online$'
svc users "$T/u2" --label u2 --reply users.list=users.listed; wait_for "$T/u2" '^users online$'
svc audit "$T/a1" --label a1; wait_for "$T/a1" '^audit online$'

# Two requests from web: each goes to audit (fan-out) and one users instance (round robin);
# each reply comes back to the web instance that asked (sticky), even with 2 web instances.
svc web "$T/w1" --label w1 --exit-after 0; wait_for "$T/w1" '^web online$'
EXO_ROLE=web EXO_BUS_ENDPOINT=$EP "$TSVC" --label w2 --request users.list 3000 > "$T/r1" || fail "request 1: $(cat "$T/r1")"
EXO_ROLE=web EXO_BUS_ENDPOINT=$EP "$TSVC" --label w3 --request users.list 3000 > "$T/r2" || fail "request 2: $(cat "$T/r2")"
grep -q '"from":"w2"' "$T/r1" || fail "reply 1 not to w2: $(cat "$T/r1")"
grep -q '"from":"w3"' "$T/r2" || fail "reply 2 not to w3: $(cat "$T/r2")"
by1=$(grep -o '"by":"u[12]"' "$T/r1"); by2=$(grep -o '"by":"u[12]"' "$T/r2")
[ -n "$by1" ] && [ -n "$by2" ] || fail "no replies from users: $by1 / $by2"
if on_zmq; then
  [ "$by1" != "$by2" ] || fail "not load-balanced (round robin): $by1 / $by2"
fi
wait_for "$T/a1" '"from":"w2"' 5
wait_for "$T/a1" '"from":"w3"' 5
[ "$(count_lines "$T/a1" '^got users.list from web')" = 2 ] || fail "audit did not get both: $(cat "$T/a1")"
[ "$(count_lines "$T/w1" '^got users.listed')" = 0 ] || fail "reply leaked to the other web instance: $(cat "$T/w1")"
if ! on_zmq; then
  # NATS gives each message to a random member of the role's queue group (docs/bus-nats.md,
  # rule 5): within 20 more requests both instances answer (all to one: p = 2^-20).
  for i in $(seq 20); do
    [ "$by1" != "$by2" ] && break
    EXO_ROLE=web EXO_BUS_ENDPOINT=$EP "$TSVC" --label w4 --request users.list 3000 > "$T/r5" || fail "request $i: $(cat "$T/r5")"
    by2=$(grep -o '"by":"u[12]"' "$T/r5")
  done
  [ "$by1" != "$by2" ] || fail "not load-balanced: every request went to $by1"
fi

# Denied: web does not declare users.drop.
EXO_ROLE=web EXO_BUS_ENDPOINT=$EP "$TSVC" --request users.drop 2000 > "$T/r3" && fail "denied request succeeded"
grep -q "request failed: .*denied.*does not declare 'users.drop'" "$T/r3" || fail "no denied error: $(cat "$T/r3")"
if on_zmq; then
  grep -q "denied: role 'web' does not declare 'users.drop'" "$BUS_OUT" || fail "broker did not log the denial"
fi

# Offline receiver: nobody of mailer is connected.
EXO_ROLE=web EXO_BUS_ENDPOINT=$EP "$TSVC" --request ping 2000 > "$T/r4" && fail "ping to offline mailer succeeded"
grep -q 'no-receiver.*mailer' "$T/r4" || fail "no no-receiver error naming mailer: $(cat "$T/r4")"

# Introspection counters (exo's broker only: NATS keeps none per route).
on_zmq || { stop_bus; echo ok; exit 0; }
"$BUSD" stats "$CTL" > "$T/stats" || fail "stats failed"
$PY - "$T/stats" <<'PYEOF' || fail "stats wrong: $(cat "$T/stats")"
import json, sys
st = json.load(open(sys.argv[1]))
r = {(x["sender"], x["name"]): x for x in st["routes"]}
assert r[("web", "users.list")]["delivered"] == 4, r[("web", "users.list")]
assert r[("web", "users.drop")]["denied"] == 1
assert r[("web", "ping")]["no_receiver"] == 1
assert len(st["roles"]["users"]["instances"]) == 2
PYEOF
stop_bus
echo ok
