#!/bin/bash
# exo bus status: the running broker's roles, instances and per-route counters, as a table and
# as JSON, through the transport's client_stats (found from .exo/bus.json like exo tail); a
# clear error when no broker runs, and the subcommand's place on the command line.
. "$EXO_TOP_SRCDIR/tests/bus/bus-lib.sh"
A="$T/app"
mkdir -p "$A/web" "$A/users" "$A/audit"
cat > "$A/application.yml" <<'YML'
name: statusapp
services:
  web:
    location: ./web
  users:
    location: ./users
    translations:
      - public: users.create
        internal: mongo.create
  audit:
    location: ./audit
YML
printf 'startup:\n  command: ./web\nmessages:\n  sends: [users.list, users.create, audit.note]\n  receives: [users.listed]\n' > "$A/web/service.yml"
printf 'startup:\n  command: ./users\nmessages:\n  sends: [users.listed]\n  receives: [users.list, mongo.create]\n' > "$A/users/service.yml"
printf 'startup:\n  command: ./audit\nmessages:\n  receives: [users.list, audit.note]\n' > "$A/audit/service.yml"

# No broker: exit 1 with how to start one; nothing on stdout.
"$EXO_BIN" bus status --app "$A" > "$T/none.out" 2> "$T/none.err"; rc=$?
[ $rc = 1 ] || fail "bus status without a broker exited $rc"
[ ! -s "$T/none.out" ] || fail "stdout without a broker: $(cat "$T/none.out")"
grep -qx "exo: error: no exo run or exo bus is running for app statusapp; start one with 'exo run --app $A' or 'exo bus --app $A'" "$T/none.err" ||
  fail "$(cat "$T/none.err")"
"$EXO_BIN" bus status --app "$A" --json > "$T/none.out" 2>&1 && fail "bus status --json without a broker exit 0"

PORT=$(free_port)
bg "$T/bus.out" "$EXO_BIN" bus --app "$A" --listen "tcp://127.0.0.1:$PORT" --quiet
BUS=$BG_PID
wait_for "$T/bus.out" 'listening on tcp://127.0.0.1:'"$PORT"
use_bus_token "$A"  # services started by hand register with the user token
EP="tcp://127.0.0.1:$PORT"
svc users "$T/u1" --reply users.list=users.listed --reply mongo.create=users.listed
svc users "$T/u2" --reply users.list=users.listed --reply mongo.create=users.listed
wait_for "$T/u1" '^users online$'
wait_for "$T/u2" '^users online$'
# Traffic with known counts: 3 delivered (users.list to users; audit is offline, so each is
# also a no-receiver), 1 translated, 1 denied.
for i in 1 2 3; do "$EXO_BIN" send --app "$A" --as web users.list "{\"i\": $i}" >/dev/null 2>&1; done
"$EXO_BIN" send --app "$A" --as web users.create '{}' > "$T/s" 2>&1 || fail "users.create: $(cat "$T/s")"
"$EXO_BIN" send --app "$A" --as web users.drop > /dev/null 2>&1 && fail "users.drop not denied"

"$EXO_BIN" bus status --app "$A" --json > "$T/st.json" 2> "$T/st.err" || fail "bus status --json: $(cat "$T/st.err")"
$PY - "$T/st.json" "$PORT" <<'PY' || fail "bus status --json: $(cat "$T/st.json")"
import json, sys
st = json.load(open(sys.argv[1]))
assert st["app"] == "statusapp" and st["endpoint"].endswith(":" + sys.argv[2]), st
assert st["max_message_size"] == 1048576
import re
inst = st["roles"]["users"]["instances"]
assert len(inst) == 2 and all(re.fullmatch(r"[^:]+:[0-9]+", i["label"]) and not i["transient"]
                              for i in inst), inst
assert st["roles"]["web"]["instances"] == [] and st["roles"]["audit"]["instances"] == []
routes = {(r["sender"], r["name"]): r for r in st["routes"]}
ul = routes[("web", "users.list")]
assert (ul["delivered"], ul["no_receiver"], ul["denied"]) == (3, 3, 0), ul
assert sorted(r["role"] for r in ul["receivers"]) == ["audit", "users"], ul
uc = routes[("web", "users.create")]
assert uc["delivered"] == 1 and uc["receivers"] == [{"role": "users", "name": "mongo.create"}], uc
ud = routes[("web", "users.drop")]
assert ud["allowed"] is False and ud["denied"] == 1, ud
PY

"$EXO_BIN" bus status --app "$A" > "$T/st.txt" 2> "$T/st.err" || fail "bus status: $(cat "$T/st.err")"
cat "$T/st.txt"
# line REGEX: a line of the table matches (columns separated by two or more spaces).
line() { grep -qE -- "$1" "$T/st.txt" || fail "no line /$1/ in: $(cat "$T/st.txt")"; }
line "^bus of app statusapp: tcp://127.0.0.1:$PORT \\(control tcp://127.0.0.1:[0-9]+\\)$"
line '^max message size 1048576, tail clients 0, tail events dropped 0, unregistered connections 0$'
line '^ROLE +ONLINE +INSTANCES$'
line '^audit +0  -$'
line '^users +2  #[0-9]+ [^ ]+:[0-9]+, #[0-9]+ [^ ]+:[0-9]+$'
line '^web +0  -$'
line '^SENDER +MESSAGE +RECEIVERS +DELIVERED +NO-RECEIVER +DENIED +DROPPED$'
line '^web +users\.list +(audit, users|users, audit) +3 +3 +0 +0$'
line '^web +users\.create +users as mongo\.create +1 +0 +0 +0$'
line '^web +users\.drop +\(not in sends\) +0 +0 +1 +0$'
line '^users +users\.listed +web +[0-9]+ +[0-9]+ +0 +0$'
# Columns line up: the counters are right-aligned, so every line of the routes table (the
# last block) is as long as its header.
$PY - "$T/st.txt" <<'PY' || fail "routes table not aligned: $(cat "$T/st.txt")"
import sys
lines = open(sys.argv[1]).read().split("\n\n")[-1].strip("\n").split("\n")
assert len(lines) >= 5 and len({len(l) for l in lines}) == 1, [len(l) for l in lines]
PY

# A transient exo send instance shows as such while it waits for a reply that never comes
# (audit, now online, answers nothing).
svc audit "$T/a"
wait_for "$T/a" '^audit online$'
bg "$T/w.out" "$EXO_BIN" send --app "$A" --as web audit.note --wait --timeout 20000
want='^web +1  #[0-9]+ exo send \(pid [0-9]+\) \(transient\)$'
for _ in $(seq 200); do
  "$EXO_BIN" bus status --app "$A" > "$T/st2.txt" 2>&1
  grep -qE "$want" "$T/st2.txt" && break
  sleep 0.05
done
grep -qE "$want" "$T/st2.txt" || fail "no transient instance: $(cat "$T/st2.txt")"
grep -qE '^audit +1  #[0-9]+ [^ ]+:[0-9]+$' "$T/st2.txt" || fail "audit not online: $(cat "$T/st2.txt")"

# The subcommand and its help.
"$EXO_BIN" bus status --help > "$T/h1" || fail "bus status --help"
head -1 "$T/h1" | grep -q '^Usage: exo bus status \[--app DIR\] \[--json\]$' || fail "usage: $(head -1 "$T/h1")"
"$EXO_BIN" help bus status > "$T/h2" && cmp -s "$T/h1" "$T/h2" || fail "exo help bus status differs"
"$EXO_BIN" bus --help | grep -qE '^  exo bus status +show the running broker' || fail "exo bus --help does not list status"
"$EXO_BIN" bus --app "$A" status > "$T/o" 2>&1 && fail "status after an option accepted"
grep -qF "exo bus: 'status' goes right after 'exo bus', before the options: exo bus status ... (exo bus --help)" "$T/o" || fail "$(cat "$T/o")"
"$EXO_BIN" bus stats --app "$A" > "$T/o" 2>&1 && fail "bus stats accepted"
grep -qF "unexpected argument 'stats'; did you mean 'exo bus status'?" "$T/o" || fail "$(cat "$T/o")"
"$EXO_BIN" bus status --listen x > "$T/o" 2>&1 && fail "bus status --listen accepted"
grep -qF "exo bus status: unknown option '--listen'" "$T/o" || fail "$(cat "$T/o")"

# A broker that is gone but left its bus.json (kill -9): no broker answered, exit 1.
kill -KILL $BUS; wait $BUS 2>/dev/null
[ -e "$A/.exo/bus.json" ] || fail "bus.json gone after kill -9"
"$EXO_BIN" bus status --app "$A" > "$T/o" 2>&1; rc=$?
[ $rc = 1 ] || fail "bus status after kill -9 exited $rc: $(cat "$T/o")"
grep -qE "no exo run or exo bus is running for app statusapp|no broker answered" "$T/o" || fail "$(cat "$T/o")"

# The broker exo run embeds answers the same way.
R="$T/runapp"
mkdir -p "$R/pong"
printf 'name: runapp\nservices:\n  pong:\n    location: ./pong\n' > "$R/application.yml"
printf 'startup:\n  command: %s --reply ping=pong\nmessages:\n  receives: [ping]\n  sends: [pong]\n' "$TSVC" > "$R/pong/service.yml"
bg "$T/run.out" "$EXO_BIN" run --app "$R"
wait_for "$T/run.out" 'all services ready' 30
"$EXO_BIN" bus status --app "$R" > "$T/st3.txt" 2>&1 || fail "bus status under exo run: $(cat "$T/st3.txt")"
grep -qE '^bus of app runapp: tcp://' "$T/st3.txt" && grep -qE '^pong +1  #[0-9]+ [^ ]+:[0-9]+$' "$T/st3.txt" ||
  fail "bus status under exo run: $(cat "$T/st3.txt")"
echo ok
