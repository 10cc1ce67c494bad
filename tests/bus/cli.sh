#!/bin/bash
# exo bus / exo send / exo tail end to end on a real app with real service processes.
. "$EXO_TOP_SRCDIR/tests/bus/bus-lib.sh"
A="$T/app"
mkdir -p "$A/web" "$A/users"
cat > "$A/application.yml" <<'YML'
name: cliapp
services:
  web:
    location: ./web
  users:
    location: ./users
    translations:
      - public: users.create
        internal: mongo.create
      - public: users.created
        internal: mongo.created
YML
cat > "$A/web/service.yml" <<'YML'
startup:
  command: ./web
messages:
  sends: [users.list, users.create, users.ping]
  receives: [users.listed, users.created]
YML
cat > "$A/users/service.yml" <<'YML'
startup:
  command: ./users
messages:
  sends: [users.listed, mongo.created]
  receives: [users.list, mongo.create, users.ping]
YML
"$EXO_BIN" send --app "$A" --as web users.list > "$T/none.out" 2>&1 && fail "send without a broker succeeded"
grep -q "no exo run or exo bus is running for app cliapp; start one with" "$T/none.out" || fail "$(cat "$T/none.out")"

PORT=$(free_port)
# A deployment's own user token (EXO_BUS_USER_TOKEN, exo generate): a malformed one is refused
# before anything listens; a good one is the token in bus.json.
EXO_BUS_USER_TOKEN=not-hex "$EXO_BIN" bus --app "$A" --listen "tcp://127.0.0.1:$PORT" > "$T/badtok.out" 2>&1 \
    && fail "exo bus accepted a malformed EXO_BUS_USER_TOKEN"
grep -q "EXO_BUS_USER_TOKEN must be 64 lower-case hex digits" "$T/badtok.out" || fail "$(cat "$T/badtok.out")"
[ -e "$A/.exo/bus.json" ] && fail "a refused broker left bus.json"
TOK=$(printf '%064d' 7)
bg "$T/bus.out" env EXO_BUS_USER_TOKEN="$TOK" "$EXO_BIN" bus --app "$A" --listen "tcp://127.0.0.1:$PORT"
BUS=$BG_PID
wait_for "$T/bus.out" 'listening on tcp://127.0.0.1:'"$PORT"
$PY -c 'import json,sys; assert json.load(open(sys.argv[1]))["token"] == sys.argv[2]' "$A/.exo/bus.json" "$TOK" \
    || fail "bus.json does not hold the given EXO_BUS_USER_TOKEN"
$PY -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["endpoint"].endswith(":'"$PORT"'") and j["control"].startswith("tcp://") and j["pid"] > 0' "$A/.exo/bus.json" || fail "bad bus.json: $(cat "$A/.exo/bus.json")"
"$EXO_BIN" bus --app "$A" > "$T/bus2.out" 2>&1 && fail "second broker for the same app started"
grep -q "already running" "$T/bus2.out" || fail "$(cat "$T/bus2.out")"

EP="tcp://127.0.0.1:$PORT"
use_bus_token "$A"  # services started by hand register with the user token
svc users "$T/u" --label u --reply users.list=users.listed --reply mongo.create=mongo.created
USERS=$BG_PID
wait_for "$T/u" '^users online$'
bg "$T/tail.out" "$EXO_BIN" tail --app "$A"
bg "$T/tailj.out" "$EXO_BIN" tail --app "$A" --json
sleep 0.5

"$EXO_BIN" send --app "$A" --as web users.list '{"page": 1}' --wait > "$T/s1" || fail "send --wait: $(cat "$T/s1")"
$PY -c 'import json,sys; r=json.loads(open(sys.argv[1]).read()); assert r["name"]=="users.listed" and r["sender"]=="users" and r["payload"]["echo"]=={"page":1}, r' "$T/s1" || fail "reply: $(cat "$T/s1")"
"$EXO_BIN" send --app "$A" --as web users.create '{"n": "ann"}' --wait > "$T/s2" || fail "translated send: $(cat "$T/s2")"
grep -q '"name":"users.created"' "$T/s2" || fail "reply not translated: $(cat "$T/s2")"
grep -q '^got mongo.create from web' "$T/u" || fail "not translated for users: $(cat "$T/u")"
"$EXO_BIN" send --app "$A" --as web users.ping --wait --timeout 300 > "$T/s3" 2>&1 && fail "no reply but exit 0"
grep -q "no reply to 'users.ping' within 300 ms" "$T/s3" || fail "$(cat "$T/s3")"
"$EXO_BIN" send --app "$A" --as web users.drop > "$T/s4" 2>&1 && fail "denied send exit 0"
grep -q "denied.*does not declare 'users.drop'" "$T/s4" || fail "$(cat "$T/s4")"
"$EXO_BIN" send --app "$A" --as users users.listed '{}' > "$T/s5" 2>&1 && fail "send to offline web exit 0"
grep -q "no-receiver.*web" "$T/s5" || fail "$(cat "$T/s5")"
"$EXO_BIN" send --app "$A" --as wbe users.list > "$T/s6" 2>&1 && fail "unknown role exit 0"
grep -q "no role 'wbe'; did you mean 'web'" "$T/s6" || fail "$(cat "$T/s6")"
"$EXO_BIN" send --app "$A" --as web users.list '{bad' > "$T/s7" 2>&1; [ $? = 1 ] || fail "bad JSON"
grep -q "not valid JSON" "$T/s7" || fail "$(cat "$T/s7")"

wait_for "$T/tail.out" '^web  --\[ users.list \]->  users$'
wait_for "$T/tail.out" '^users  --\[ users.listed \]->  web$'
wait_for "$T/tail.out" '^web  --\[ users.create \]-\[ mongo.create \]->  users$'
wait_for "$T/tail.out" '^users  --\[ mongo.created \]-\[ users.created \]->  web$'
wait_for "$T/tail.out" '^web  --\[ users.drop \]->  \(denied\)$'
wait_for "$T/tail.out" '^users  --\[ users.listed \]->  web  \(no-receiver\)$'
wait_for "$T/tailj.out" '"sender":"web","receiver":"users","name":"users.list".*"outcome":"delivered","payload":\{"page":1\}'
wait_for "$T/bus.out" '^web  --\[ users.create \]-\[ mongo.create \]->  users$'
wait_for "$T/bus.out" '^users online \(instance 1, '

kill -TERM $BUS; wait $BUS; rc=$?
[ $rc = 0 ] || fail "exo bus exited $rc on SIGTERM"
[ -e "$A/.exo/bus.json" ] && fail "bus.json left behind"

# --quiet: the same traffic, no trace lines (the services still get their messages).
bg "$T/busq.out" "$EXO_BIN" bus --app "$A" --listen "tcp://127.0.0.1:$PORT" --quiet
BUS=$BG_PID
wait_for "$T/busq.out" 'listening on tcp://127.0.0.1:'"$PORT"
# A new broker, a new user token: the old one no longer registers anything (issue 18), so
# users started by hand is started again with the new one.
wait_for "$T/u" 'not authorised to register as users: wrong credential' 5
kill "$USERS"; wait "$USERS" 2>/dev/null
use_bus_token "$A"
svc users "$T/u2" --label u --reply users.list=users.listed; USERS=$BG_PID
ok=0
for _ in $(seq 30); do  # users re-registers with the new broker within about a second
    if "$EXO_BIN" send --app "$A" --as web users.list '{"page": 2}' --wait > "$T/sq" 2>&1; then
        ok=1; break
    fi
    sleep 0.2
done
[ $ok = 1 ] || fail "send --wait under --quiet: $(cat "$T/sq")"
grep -q '"page":2' "$T/sq" || fail "reply under --quiet: $(cat "$T/sq")"
kill -TERM $BUS; wait $BUS; rc=$?
[ $rc = 0 ] || fail "exo bus --quiet exited $rc on SIGTERM"
grep -qE -- '--\[|online \(instance' "$T/busq.out" && fail "exo bus --quiet printed trace lines: $(cat "$T/busq.out")"
echo ok
