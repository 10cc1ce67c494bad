#!/bin/bash
# Protocol 5 batches from a raw zmq client: every frame of a batch is handled as if it had come
# alone, in order. A denied message, an invalid name and a message before nothing else go
# wrong inside a batch do not affect the others: they get their exo.error (in order, to the
# sender), the others are delivered. A batch whose last length runs past its end delivers what
# came before and is reported malformed. The C receiver gets what the broker batches for it.
. "$EXO_TOP_SRCDIR/tests/bus/bus-lib.sh"
$PY -c 'import zmq' 2>/dev/null || skip_or_fail "/usr/bin/python3 with zmq (python3-zmq)"
start_bus '{"roles": {"web": {"sends": ["users.list"]}, "users": {"receives": ["users.list"]}}}'
svc users "$T/u" --label u; wait_for "$T/u" '^users online$'
$PY - "$EP" > "$T/raw" 2>&1 <<'PYEOF' || fail "raw client: $(cat "$T/raw")"
import json, os, struct, sys, zmq
NF = {"R": 4, "A": 2, "M": 6, "N": 1, "P": 0, "O": 0, "B": 0}
def head(t, *f, version=5):
    b = bytes([version, ord(t)])
    for x in f:
        x = x.encode() if isinstance(x, str) else x
        b += struct.pack(">H", len(x)) + x
    return b
def batch(*frames, version=5):
    return bytes([version, ord("K")]) + b"".join(struct.pack(">I", len(f)) + f for f in frames)
def frames_of(b):
    if b[1] != ord("K"):
        return [b]
    out, pos = [], 2
    while pos < len(b):
        n = struct.unpack_from(">I", b, pos)[0]; out.append(b[pos+4:pos+4+n]); pos += 4 + n
    return out
def fields(b):
    t, out, pos = chr(b[1]), [], 2
    for _ in range(NF[t]):
        n = struct.unpack_from(">H", b, pos)[0]; out.append(b[pos+2:pos+2+n]); pos += 2 + n
    return t, out, b[pos:]
ctx = zmq.Context(); s = ctx.socket(zmq.DEALER); s.setsockopt(zmq.LINGER, 0)
s.setsockopt(zmq.RCVTIMEO, 3000); s.connect(sys.argv[1])
def received(until):
    """Frames from the broker, unbatched, up to and including the first of type @until."""
    got = []
    while True:
        for f in frames_of(s.recv_multipart()[0]):
            got.append(fields(f))
            if got[-1][0] == until:
                return got
M = lambda name, act, payload: head("M", name, "id-" + act, act, "", "", "") + payload
# The registration itself may come in a batch.
s.send(batch(head("R", "web", "raw", "", os.environ["EXO_BUS_TOKEN"]), head("P")))
got = received("O"); assert [g[0] for g in got] == ["A", "O"], got
s.send(batch(M("users.list", "a1", b'{"n":1}'),
             M("users.drop", "a2", b'{"n":2}'),
             M(b"users\x01list", "a3", b'{"n":3}'),
             M("users.list", "a4", b'{"n":4}'),
             head("P")))
got = received("O")
errs = [(json.loads(p)["error"], f[2].decode()) for t, f, p in got if t == "M"]
assert errs == [("denied", "a2"), ("invalid-name", "a3")], got
assert got[-1][0] == "O" and len(got) == 3, got
# A batch cut short: the frames before the bad length count, the rest is reported.
bad = batch(M("users.list", "a5", b'{"n":5}'))
bad += struct.pack(">I", 500) + b"xx"
s.send(bad); s.send(head("P"))
got = received("O")
errs = [json.loads(p)["error"] for t, f, p in got if t == "M"]
assert errs == ["malformed"], got
# A batch inside a batch is refused; the frames around it are not affected.
s.send(batch(batch(M("users.list", "x", b"{}")), M("users.list", "a6", b'{"n":6}'), head("P")))
got = received("O")
assert [json.loads(p)["error"] for t, f, p in got if t == "M"] == ["malformed"], got
print("done")
PYEOF
cat "$T/raw"
wait_for "$T/u" 'activity a6 ' 5
grep '^got ' "$T/u" | sed 's/.*activity \([a-z0-9]*\) .*/\1/' | tr '\n' ' ' > "$T/order"
[ "$(cat "$T/order")" = "a1 a4 a5 a6 " ] || fail "delivered: $(cat "$T/order") (expected a1 a4 a5 a6)"
# The C SDK in both directions: a burst is batched by the sender and by the broker, and
# nothing is lost.
svc web "$T/w" --flood users.list 3000
wait_for "$T/w" '^flooded 3000$' 20
for _ in $(seq 100); do
  [ "$(count_lines "$T/u" '^got users.list from web ')" -ge 3004 ] && break
  sleep 0.1
done
n=$(count_lines "$T/u" '^got users.list from web ')
[ "$n" = 3004 ] || fail "the receiver got $n messages of 3004"
kill -0 "$BUS_PID" || fail "broker died"
grep -q "denied: role 'web' does not declare 'users.drop'" "$BUS_OUT" || fail "no log line for the denied message"
stop_bus
echo ok
