#!/bin/bash
# exo send with payloads beyond the shell's argument limit: from standard input (-) and from a
# file (@FILE), delivered byte for byte to a real receiving service; and every bad input (no
# such file, a directory, a read error, invalid JSON, empty input, over the max message size)
# refused with an error that names the source and the place.
. "$EXO_TOP_SRCDIR/tests/bus/bus-lib.sh"
A="$T/app"
mkdir -p "$A/web" "$A/users"
cat > "$A/application.yml" <<'YML'
name: payloadapp
services:
  web:
    location: ./web
  users:
    location: ./users
YML
printf 'startup:\n  command: ./web\nmessages:\n  sends: [users.import]\n  receives: [users.imported]\n' > "$A/web/service.yml"
printf 'startup:\n  command: ./users\nmessages:\n  sends: [users.imported]\n  receives: [users.import]\n' > "$A/users/service.yml"

# ~400 KiB of JSON with what an encoder could change: escapes, UTF-8, nesting, numbers.
# compact.json is exactly what the bus must carry (jansson's compact form); pretty.json the
# same value indented over many lines.
$PY - "$T" <<'PY'
import json, sys
rows = [{"id": i, "name": "user \"%d\" \\ caf\u00e9 \u2603 \U0001F600" % i, "tags": ["a\tb", "c\nd", "\u0001"],
         "score": -i * 7, "ratio": 1.5, "ok": i % 2 == 0, "none": None} for i in range(3000)]
v = {"batch": "b-1", "rows": rows}
c = json.dumps(v, separators=(",", ":"), ensure_ascii=False)
open(sys.argv[1] + "/compact.json", "w", encoding="utf-8").write(c + "\n")
open(sys.argv[1] + "/pretty.json", "w", encoding="utf-8").write(json.dumps(v, indent=4, ensure_ascii=False))
PY
size=$(stat -c %s "$T/compact.json")
[ "$size" -gt $((300 * 1024)) ] && [ "$size" -lt $((900 * 1024)) ] || fail "test payload is $size bytes"

PORT=$(free_port)
bg "$T/bus.out" "$EXO_BIN" bus --app "$A" --listen "tcp://127.0.0.1:$PORT" --quiet
wait_for "$T/bus.out" 'listening on tcp://127.0.0.1:'"$PORT"
use_bus_token "$A"  # services started by hand register with the user token
EP="tcp://127.0.0.1:$PORT"
svc users "$T/u" --label u --reply users.import=users.imported
wait_for "$T/u" '^users online$'

# received N FILE: the Nth payload users got is byte for byte FILE without its last newline.
received() {
  $PY - "$T/u" "$1" "$2" <<'PY' || fail "payload $1 as received differs from $(basename "$2")"
import sys
got = [l[:-1] for l in open(sys.argv[1], "rb") if l.startswith(b"got users.import ")]
n, want = int(sys.argv[2]), open(sys.argv[3], "rb").read().rstrip(b"\n")
assert len(got) >= n, "only %d received" % len(got)
payload = got[n - 1].split(b" payload ", 1)[1]
assert payload == want, "%d bytes received, %d expected; first difference at %d" % (
    len(payload), len(want), next((i for i, (a, b) in enumerate(zip(payload, want)) if a != b), -1))
PY
}

# From a file, with --wait: the receiver gets it exactly, and its echo comes back whole.
"$EXO_BIN" send --app "$A" --as web users.import "@$T/compact.json" --wait --timeout 10000 \
  > "$T/r1" 2> "$T/e1" || fail "send @FILE: $(cat "$T/e1")"
wait_for "$T/u" '^got users.import '
received 1 "$T/compact.json"
$PY -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["payload"]["echo"] == json.load(open(sys.argv[2])), "echo differs"' \
  "$T/r1" "$T/compact.json" || fail "reply to @FILE: $(head -c 300 "$T/r1")"
# From standard input, redirected and piped; indentation is dropped, nothing else changes.
"$EXO_BIN" send --app "$A" --as web users.import - < "$T/pretty.json" > "$T/r2" 2>&1 ||
  fail "send - < file: $(cat "$T/r2")"
cat "$T/compact.json" | "$EXO_BIN" send --app "$A" --as web users.import - > "$T/r3" 2>&1 ||
  fail "send - from a pipe: $(cat "$T/r3")"
for _ in $(seq 200); do [ "$(count_lines "$T/u" '^got users.import ')" -ge 3 ] && break; sleep 0.05; done
received 2 "$T/compact.json"
received 3 "$T/compact.json"
# The relative form, from the current directory.
(cd "$T" && "$EXO_BIN" send --app "$A" --as web users.import @compact.json) > "$T/r4" 2>&1 ||
  fail "send @relative: $(cat "$T/r4")"

# err CASE ARGS... : exo send fails with status 1 and prints one error line to $T/err.
err() {
  local what="$1"; shift
  "$EXO_BIN" send --app "$A" --as web users.import "$@" > "$T/out" 2> "$T/err"; local rc=$?
  [ $rc = 1 ] || fail "$what: exit $rc, expected 1: $(cat "$T/err")"
  [ ! -s "$T/out" ] || fail "$what printed on stdout: $(cat "$T/out")"
}
err_has() { grep -qF -- "$1" "$T/err" || fail "expected '$1' in: $(cat "$T/err")"; }

err "missing file" "@$T/nosuch.json"
err_has "exo: error: cannot open the payload file '$T/nosuch.json': No such file or directory; check the name after @"
err "directory" "@$T"
err_has "the payload file '$T' is a directory; give a file that holds the JSON payload"
err "read error" "@/proc/self/mem"
err_has "cannot read the payload file '/proc/self/mem': Input/output error"
if [ "$(id -u)" != 0 ]; then
  printf '{}' > "$T/secret.json"; chmod 000 "$T/secret.json"
  err "unreadable" "@$T/secret.json"
  err_has "cannot open the payload file '$T/secret.json': Permission denied"
fi
printf '{\n  "rows": [\n    1,,\n  ]\n}\n' > "$T/bad.json"
err "invalid JSON in a file" "@$T/bad.json"
err_has "the payload file '$T/bad.json' is not valid JSON: line 3, column 7: "
printf '[1,\n2' | err "invalid JSON on stdin" -
err_has "the payload on standard input is not valid JSON: line 2, column 1: "
err "empty stdin" - < /dev/null
err_has "the payload on standard input is empty; it must hold one JSON value"
err "@ alone" @
err_has "exo send: '@' needs a file name: @payload.json (exo send --help)"
err "bad argument" '{bad'
err_has "the payload is not valid JSON (column"

# Over the max message size (1 MiB here): refused before anything is sent.
$PY -c 'import json; print(json.dumps({"d": "x" * (1024 * 1024)}))' > "$T/big.json"
err "too large from stdin" - < "$T/big.json"
err_has "the payload on standard input is 1048584 bytes as compact JSON; the bus takes at most 1048576 bytes per message: send less, or raise bus.max-message-size in application.yml"
err "too large from a file" "@$T/big.json"
err_has "the payload file '$T/big.json' is 1048584 bytes as compact JSON"
# Raw input beyond 16 x the limit is not even read to its end.
yes '                                                            ' | head -c $((17 * 1024 * 1024)) |
  err "endless stdin" -
err_has "the payload on standard input is more than 16777216 bytes; the bus takes at most 1048576"
# A marker sent after them: each exo send ends once the broker has routed its message, so a
# refused payload that had been sent anyway would have reached users before the marker.
"$EXO_BIN" send --app "$A" --as web users.import '"marker"' > "$T/r5" 2>&1 || fail "marker: $(cat "$T/r5")"
wait_for "$T/u" '^got users.import .* payload "marker"$'
[ "$(count_lines "$T/u" '^got users.import ')" = 5 ] || fail "refused payloads reached users: $(cut -c1-100 "$T/u")"
echo ok
