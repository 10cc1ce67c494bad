#!/bin/bash
# The nats transport (docs/bus-nats.md): exo's generated permissions hold against a raw NATS
# client using a role's own credentials (it cannot publish an undeclared name, forge another
# sender, or subscribe to another role's messages; a wrong password is refused), while
# declared traffic flows; and `exo send` (the plugin's client_send, through busd) gets its
# reply from a raw responder, a denied send and a role without receivers are refused.
. "$EXO_TOP_SRCDIR/tests/bus/bus-lib.sh"
[ -e "$EXO_PLUGIN_PATH/transport_nats.so" ] || skip_or_fail "the nats transport was not built (install libnats-dev and run configure)"
command -v nats-server >/dev/null || skip_or_fail "nats-server is not installed"
export EXO_BUS_TRANSPORT=nats EXO_NATS_STATE_DIR="$T/nats"
start_bus '{"roles": {
  "web":    {"sends": ["users.list", "ping"], "receives": ["users.listed"]},
  "users":  {"sends": ["users.listed"], "receives": ["users.list"]},
  "mailer": {"receives": ["ping"]}}}'
case "$EP" in nats://127.0.0.1:*) ;; *) fail "endpoint is not a local nats:// URL: $EP" ;; esac
grep -q "^env web EXO_BUS_ENDPOINT=$EP\$" "$BUS_OUT" || fail "no endpoint for web: $(cat "$BUS_OUT")"
grep -q '^env web EXO_BUS_CONTRACT=.*"users.list":{"public":"users.list","to":\["users"\]}' "$BUS_OUT" \
  || fail "no contract for web: $(cat "$BUS_OUT")"
[ "$(stat -c %a "$T/nats/server.conf")" = 600 ] || fail "server.conf is not mode 0600"

PYTHONPATH="$EXO_TOP_SRCDIR/tests/support" $PY - "$BUS_OUT" "$EP" <<'PYEOF' || fail "permissions"
import sys, natsraw
env = {}
for line in open(sys.argv[1]):
    p = line.rstrip("\n").split(" ", 2)
    if p[0] == "env":
        k, v = p[2].split("=", 1)
        env[(p[1], k)] = v
ep = sys.argv[2]
web = natsraw.Conn(ep, "web", env[("web", "EXO_BUS_TOKEN")])
users = natsraw.Conn(ep, "users", env[("users", "EXO_BUS_TOKEN")])

def refused(errs, what):
    assert errs and "Permissions Violation" in errs[0], "%s was not refused: %r" % (what, errs)

# Declared traffic flows (so that the refusals below are the permissions, not a dead server).
assert users.sub("exo.busd.r.users.users_2elist.*", "users") == []
assert web.pub("exo.busd.r.users.users_2elist.web", b"{}", {"Exo-Id": "1", "Exo-Activity": "a"}) == []
m = users.next_msg()
assert m and m["subject"] == "exo.busd.r.users.users_2elist.web", m
# An undeclared name, another role's name as sender, a name only another role sends.
refused(web.pub("exo.busd.r.users.users_2edrop.web"), "an undeclared publish")
refused(web.pub("exo.busd.r.users.users_2elist.users"), "a forged sender")
refused(web.pub("exo.busd.d.web.1.users_2elisted.web"), "a name web does not send")
# Another role's messages, everything, and a name web receives but in users' subjects.
refused(web.sub("exo.busd.r.users.users_2elist.*"), "subscribing to users' messages")
refused(web.sub("exo.busd.>"), "subscribing to everything")
refused(web.sub("exo.busd.r.users.users_2elisted.*"), "subscribing in another role's subjects")
refused(web.sub("exo.busd.x.users.>"), "subscribing to another role's status")
# Nothing leaked to web meanwhile; a wrong password and another role's secret are refused.
assert web.next_msg(0.2) is None
for user, pw in (("web", "0" * 64), ("web", env[("users", "EXO_BUS_TOKEN")]), ("nobody", "x")):
    try:
        natsraw.Conn(ep, user, pw)
        raise AssertionError("connected as %s with a wrong password" % user)
    except natsraw.NatsError as e:
        assert "Authorization Violation" in str(e), e
print("permissions ok")
PYEOF

# exo send through the plugin: a raw users responder answers on web's instance subject.
cat > "$T/responder.py" <<'PYEOF'
import sys, natsraw
env = dict(((p[1], p[2].split("=", 1)[0]), p[2].split("=", 1)[1]) for p in
           (l.rstrip("\n").split(" ", 2) for l in open(sys.argv[1])) if p[0] == "env")
users = natsraw.Conn(sys.argv[2], "users", env[("users", "EXO_BUS_TOKEN")])
users.sub("exo.busd.r.users.users_2elist.*", "users")
print("ready", flush=True)
m = users.next_msg(30)
h = m["headers"]
role, inst = h["Exo-Via"].split(",")[0].split(".")
errs = users.pub("exo.busd.d.%s.%s.users_2elisted.users" % (role, inst), b'{"got":' + m["data"] + b"}",
                 {"Exo-Id": "r1", "Exo-Activity": h["Exo-Activity"], "Exo-Via": h["Exo-Via"]})
print("replied", errs, flush=True)
PYEOF
PYTHONPATH="$EXO_TOP_SRCDIR/tests/support" bg "$T/responder" $PY "$T/responder.py" "$BUS_OUT" "$EP"
wait_for "$T/responder" '^ready' 10
"$BUSD" send "$EP" web users.list '{"n":7}' 3000 > "$T/reply" 2> "$T/send.err" || fail "send: $(cat "$T/send.err" "$T/responder")"
grep -q '"name":"users.listed"' "$T/reply" && grep -q '"sender":"users"' "$T/reply" \
  && grep -q '"payload":{"got":{"n":7}}' "$T/reply" || fail "reply: $(cat "$T/reply")"
"$BUSD" send "$EP" web users.drop '{}' 2> "$T/denied" && fail "a denied send succeeded"
grep -q "denied.*does not declare 'users.drop'" "$T/denied" || fail "denied: $(cat "$T/denied")"
"$BUSD" send "$EP" web ping '{}' 2> "$T/norecv" && fail "a send without receivers succeeded"
grep -q 'no-receiver.*mailer' "$T/norecv" || fail "no-receiver: $(cat "$T/norecv")"
EXO_BUS_TOKEN=$(printf '0%.0s' $(seq 64)) "$BUSD" send "$EP" web users.list '{}' 2> "$T/badtok" \
  && fail "a send with a wrong user token succeeded"
grep -qi 'authorization' "$T/badtok" || fail "wrong token: $(cat "$T/badtok")"
# A C service whose contract claims more than the server allows: the server refuses the
# publish and the SDK reports it as a denied exo.error.
forged=$(role_env web EXO_BUS_CONTRACT | sed 's/"sends":{/"sends":{"users.drop":{"public":"users.drop","to":["users"]},/')
EXO_ROLE=web EXO_BUS_ENDPOINT=$EP EXO_BUS_TOKEN=$(role_env web EXO_BUS_TOKEN) EXO_BUS_CONTRACT=$forged \
  "$TSVC" --request users.drop 1000 > "$T/forged" 2>&1 && fail "a send the server refuses got a reply"
grep -q 'bus error: .*"error":"denied".*Permissions Violation for Publish' "$T/forged" || fail "server refusal: $(cat "$T/forged")"
stop_bus
[ -e "$T/nats/server.conf" ] && ! ls "$T"/nats/*.ports >/dev/null 2>&1 || fail "ports file left behind"
echo ok
