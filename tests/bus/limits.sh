#!/bin/bash
# Oversized messages (docs/bus.md rule 8): with a max message size of 1000 bytes, a request
# larger than that fails with too-large in the sender (C and Python), nothing reaches the
# receiver, and the next message of normal size goes through. Runs per transport
# (tests/bus/nats/limits.sh).
. "$EXO_TOP_SRCDIR/tests/bus/bus-lib.sh"
export PYTHONPATH="$EXO_TOP_SRCDIR/plugins/transport-zmq/python"
start_bus '{"roles": {
  "web":   {"sends": ["users.list"], "receives": ["users.listed"]},
  "users": {"sends": ["users.listed"], "receives": ["users.list"]}}}' "" --max-size 1000
svc users "$T/u" --label u --reply users.list=users.listed; wait_for "$T/u" '^users online$'
EXO_ROLE=web EXO_BUS_ENDPOINT=$EP $PY - > "$T/py" 2>&1 <<'PYEOF' || fail "python: $(cat "$T/py")"
import exo_service
svc = exo_service.Service(quiet=True)
assert svc.wait_online(5000)
try:
    svc.request("users.list", {"pad": "x" * 2000}, 3000)
    raise AssertionError("an oversized request got a reply")
except exo_service.BusError as e:
    assert e.kind == "too-large", e
r = svc.request("users.list", {"pad": "x" * 100}, 3000)
assert r.name == "users.listed" and r.payload["by"] == "u", r
svc.close()
print("limits ok")
PYEOF
grep -q "limits ok" "$T/py" || fail "python: $(cat "$T/py")"
[ "$(count_lines "$T/u" '^got users.list')" = 1 ] || fail "the oversized message reached users: $(cat "$T/u")"
stop_bus
echo ok
