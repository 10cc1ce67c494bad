#!/bin/bash
# Hostile input from a raw zmq client: every malformed case gets an exo.error back (or N),
# the broker logs it and keeps routing.
. "$EXO_TOP_SRCDIR/tests/bus/bus-lib.sh"
$PY -c 'import zmq' 2>/dev/null || skip_or_fail "/usr/bin/python3 with zmq (python3-zmq)"
start_bus '{"roles": {"web": {"sends": ["users.list"]}, "users": {"receives": ["users.list"]}}}' "" --max-size 1000
svc users "$T/u" --label u; wait_for "$T/u" '^users online$'
$PY - "$EP" > "$T/raw" 2>&1 <<'PYEOF' || fail "raw client: $(cat "$T/raw")"
import json, struct, sys, zmq
NF = {"R": 3, "A": 2, "M": 5, "N": 1, "P": 0, "O": 0, "B": 0}
def head(t, *f, version=2):
    b = bytes([version, ord(t)])
    for x in f:
        x = x.encode() if isinstance(x, str) else x
        b += struct.pack(">H", len(x)) + x
    return b
def fields(b):
    """(type, fields, payload after the fields); protocol 3 and 4 add via to 'M'"""
    t, out, pos = chr(b[1]), [], 2
    for _ in range(NF[t] + (t == "M" and b[0] >= 3)):
        n = struct.unpack_from(">H", b, pos)[0]; out.append(b[pos+2:pos+2+n]); pos += 2 + n
    return t, out, b[pos:]
ctx = zmq.Context(); s = ctx.socket(zmq.DEALER); s.setsockopt(zmq.LINGER, 0)
s.setsockopt(zmq.RCVTIMEO, 3000); s.connect(sys.argv[1])
def expect_error(kind, frames, label):
    s.send_multipart(frames)
    while True:
        r = s.recv_multipart()
        assert len(r) == 1, (label, "broker sent %d frames" % len(r))
        t, f, payload = fields(r[0])
        if t == "M" and f[0] == b"exo.error":
            p = json.loads(payload)
            assert p["error"] == kind, (label, p)
            print("ok", label, "->", kind, "|", p["message"])
            return
        if t == "N" and kind == "not-registered":
            continue
        raise AssertionError((label, t, f))
M = lambda name, payload=b"{}": [head("M", name, "i1", "a1", "", "") + payload]
expect_error("not-registered", M("users.list"), "message before register")
expect_error("unknown-role", [head("R", "nosuch", "raw", "")], "unknown role")
# Issue 18 finding 1: a registration needs a credential; old clients (protocol 2 and 3 carry
# none) are told to update; a wrong token is refused. Then web registers with the user token
# (protocol 4) and speaks protocol 2 from then on: the broker answers each frame in its own.
import os
tok = os.environ["EXO_BUS_TOKEN"]
expect_error("not-authorised", [head("R", "web", "raw", "")], "protocol 2 register (no credential)")
expect_error("not-authorised", [head("R", "web", "raw", "", version=3)], "protocol 3 register (no credential)")
expect_error("not-authorised", [head("R", "web", "raw", "", "", version=4)], "empty credential")
expect_error("not-authorised", [head("R", "web", "raw", "", "0" * 64, version=4)], "wrong credential")
s.send(head("R", "web", "raw", "", tok, version=4)); t, f, _ = fields(s.recv_multipart()[0]); assert t == "A", t
expect_error("malformed", [b"hello"], "garbage frame")
expect_error("malformed", [b""], "empty frame")
expect_error("malformed", [head("M", "users.list", "i", "a", "", "", version=1), b"{}"], "protocol 1 (head + payload frames)")
expect_error("malformed", [head("M", "users.list", "i", "a", "", "", version=6)], "bad version")
expect_error("malformed", [bytes([2, ord("Z")])], "unknown type")
expect_error("malformed", [bytes([2, ord("M"), 0, 50, 65])], "truncated field")
expect_error("malformed", [bytes([2, ord("M")]) + head("M", "users.list", "i", "a")[2:]], "missing fields")
expect_error("malformed", [head("P") + b"x"], "trailing bytes after a ping")
expect_error("malformed", [head("R", "web", "raw", "") + b"x"], "trailing bytes after a register")
expect_error("malformed", M("users.list") + [b"extra"], "two frames")
expect_error("malformed", [head("M", "", "i", "a", "", "")], "empty name")
expect_error("malformed", [head("M", "users.list", "i d", "a", "", "")], "space in id")
expect_error("malformed", [head("M", "users.list", "i", "a" * 65, "", "")], "long activity")
expect_error("invalid-name", [head("M", b"users.\xff", "i", "a", "", "")], "invalid UTF-8")
expect_error("invalid-name", [head("M", b"users\x01list", "i", "a", "", "")], "control char")
expect_error("invalid-name", [head("M", b"\xed\xa0\x80", "i", "a", "", "")], "surrogate")
expect_error("too-large", [head("M", "users.list", "i", "a", "", "") + b"[" + b"1," * 600 + b"1]"], "oversized")
expect_error("malformed", [head("O")], "broker-only type")
# Still routing after all that.
s.send(head("M", "users.list", "ok1", "act-ok", "", "") + b'{"still":"alive"}')
s.send(head("P")); t, f, _ = fields(s.recv_multipart()[0]); assert t == "O", t
print("done")
PYEOF
cat "$T/raw"
wait_for "$T/u" 'got users.list from web activity act-ok payload \{"still":"alive"\}' 5
[ "$(count_lines "$T/u" '^got ')" = 1 ] || fail "a rejected frame was delivered: $(cat "$T/u")"
kill -0 "$BUS_PID" || fail "broker died"
grep -q 'rejected a frame from web: bad head frame' "$BUS_OUT" || fail "no log line for malformed frames"
grep -q "rejected 'users.list' from web: .* more than the max message size 1000" "$BUS_OUT" || fail "no log line for the oversized message"
stop_bus
echo ok
