# exo run: parallel start, readiness by online text, port and start, depends-on ordering,
# one line per ready service and one for the app, readiness timeout.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
A=$T/app
mkdir -p "$A"
cat > "$A/application.yml" <<'YML'
name: start-test
shutdown-grace: 1s
services:
  slow-a:
    location: ./slow-a
  slow-b:
    location: ./slow-b
  web:
    location: ./web
  plain:
    location: ./plain
    options:
      cpus: 1
  after:
    location: ./after
    depends-on: [slow-a, web]
YML
# The two slow services announce their start, then need a while: both must have started
# before either is ready, or they were not started in parallel.
for s in slow-a slow-b; do
  service "$A/$s" "startup:
  command: echo begin; sleep 1; echo is online; exec sleep 600
  online-text: is online"
done
service "$A/web" "startup:
  command: exec $PY -m http.server \$PORT --bind 127.0.0.1
port: 8080"
service "$A/plain" "startup:
  command: echo plain; exec sleep 600"
service "$A/after" "startup:
  command: echo \"after sees WEB_URL=\$WEB_URL\"; exec sleep 600"

"$EXO_BIN" run --app "$A" > "$T/out" 2>&1 &
EXO=$!
wait_for "$T/out" 'all services ready \(5 services\)' 20
kill -INT $EXO
wait_exit $EXO 15
[ "$RC" = 0 ] || fail "exo run exited $RC after Ctrl-C"
cat "$T/out"

expect_line "$T/out" 'slow-a ready in [0-9]+ ms \(online text seen\)'
expect_line "$T/out" 'web ready in [0-9]+ ms \(port open\)'
expect_line "$T/out" 'plain ready in [0-9]+ ms \(started\)'
expect_line "$T/out" '^ *after \| after sees WEB_URL=http://127\.0\.0\.1:[0-9]+$'
# parallel: both began before either was ready
b1=$(line_no "$T/out" 'slow-a \| begin'); b2=$(line_no "$T/out" 'slow-b \| begin')
r1=$(line_no "$T/out" 'slow-a ready'); r2=$(line_no "$T/out" 'slow-b ready')
[ "$b1" -gt 0 ] && [ "$b2" -gt 0 ] && [ "$b1" -lt "$r2" ] && [ "$b2" -lt "$r1" ] ||
  fail "slow-a and slow-b did not start in parallel"
# depends-on: after starts only once slow-a and web are ready
a=$(line_no "$T/out" 'after \| after sees')
w=$(line_no "$T/out" 'web ready')
[ "$a" -gt "$r1" ] && [ "$a" -gt "$w" ] || fail "after started before its dependencies were ready"
# prefixes are right-aligned to the widest role, no colour when not a TTY
expect_line "$T/out" '^ plain \| plain$'
expect_no_line "$T/out" $'\033'
[ -s "$A/.exo/logs/web.log" ] || fail "no .exo/logs/web.log"
expect_line "$A/.exo/logs/after.log" 'stdout after sees WEB_URL='
expect_nothing_left
# Container options on the process backend: said, not silently dropped.
expect_line "$T/out" '^ *exo \| plain runs without its options \(services\.plain\.options\): they are for container backends, not the process backend$'
# What the run learned for the next one: each role's own start-up.
$PY - "$A/.exo/start-times.json" <<'PY' || fail "start-times.json is not what the run saw"
import json, sys
t = json.load(open(sys.argv[1]))
assert set(t) == {"slow-a", "slow-b", "web", "plain", "after"}, t
assert 900 <= t["slow-a"] < 5000 and 900 <= t["slow-b"] < 5000, t
assert t["plain"] < 500, t
PY
pass "parallel start, readiness, depends-on"

# --log-format json: one object per line
"$EXO_BIN" run --app "$A" --only plain --log-format json > "$T/json" 2>/dev/null &
EXO=$!
wait_for "$T/json" 'all services ready' 10
kill -TERM $EXO
wait_exit $EXO 10
$PY - "$T/json" <<'PY' || fail "--log-format json output is not one JSON object per line"
import json, sys
roles = set()
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert set(o) == {"time", "role", "stream", "line"}, o
    roles.add(o["role"])
assert roles == {"exo", "plain"}, roles
PY
expect_nothing_left
pass "--only and --log-format json"

# Colour per role on a terminal, never with NO_COLOR. exo's stdout is a pseudo-terminal here.
on_tty() { # on_tty OUTFILE CMD...: run CMD with stdout and stderr on a pty for 2 s, then Ctrl-C
  $PY - "$@" <<'PY'
import os, signal, subprocess, sys, time
master, slave = os.openpty()
p = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
os.close(slave)
time.sleep(2)
p.send_signal(signal.SIGINT)
out = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
p.wait()
open(sys.argv[1], "wb").write(out)
PY
}
on_tty "$T/tty" "$EXO_BIN" run --app "$A" --only plain
grep -q $'\033\[[0-9;]*m *plain\033\[0m | plain' "$T/tty" || { cat -v "$T/tty"; fail "no colour on a terminal"; }
NO_COLOR=1 on_tty "$T/tty2" "$EXO_BIN" run --app "$A" --only plain
grep -q 'plain | plain' "$T/tty2" || { cat -v "$T/tty2"; fail "no output under NO_COLOR"; }
expect_no_line "$T/tty2" $'\033'
expect_nothing_left
pass "colour on a terminal only, never with NO_COLOR"

# readiness timeout: exo says what it waited for and fails
B=$T/timeout
mkdir -p "$B"
cat > "$B/application.yml" <<'YML'
name: timeout-test
services:
  mute:
    location: ./mute
    ready-timeout: 1s
YML
service "$B/mute" "startup:
  command: echo hello; exec sleep 600
  online-text: never printed"
"$EXO_BIN" run --app "$B" > "$T/tout" 2>&1 &
EXO=$!
wait_exit $EXO 15
cat "$T/tout"
[ "$RC" = 1 ] || fail "exo run exited $RC when the app failed to come up (want 1)"
expect_line "$T/tout" "mute failed: did not become ready within 1 s: waited for the text 'never printed' in its output"
expect_line "$T/tout" 'the app failed to come up'
expect_nothing_left
pass "readiness timeout"

# JSON output survives bytes that are not UTF-8.
C=$T/bytes
mkdir -p "$C"
printf 'name: bytes-test\nservices:\n  raw:\n    location: ./raw\n' > "$C/application.yml"
service "$C/raw" "startup:
  command: printf 'bad \\377 byte\\n'; echo done; exec sleep 600
  online-text: done"
"$EXO_BIN" run --app "$C" --log-format json > "$T/bytes.json" 2>/dev/null &
EXO=$!
wait_for "$T/bytes.json" 'all services ready' 10
kill -INT $EXO
wait_exit $EXO 10
$PY - "$T/bytes.json" <<'PY' || { cat -v "$T/bytes.json"; fail "a line with a stray byte was lost or is not JSON"; }
import json, sys
lines = [json.loads(l)["line"] for l in open(sys.argv[1], encoding="utf-8")]
assert "bad \ufffd byte" in lines, lines
PY
expect_nothing_left
pass "JSON logs with bytes that are not UTF-8"

# Bad input: a clear message, exit 1, nothing started and nothing written.
D=$T/bad
mkdir -p "$D"
printf 'name: bad-test\nservices:\n  one:\n    location: ./one\n' > "$D/application.yml"
service "$D/one" "startup:
  command: exec sleep 600"
"$EXO_BIN" run --app "$D" --backend nope > "$T/b1" 2>&1; RC=$?
[ "$RC" = 1 ] || fail "--backend nope exited $RC"
expect_line "$T/b1" "no working backend plugin named 'nope' \\(available: .*process"
"$EXO_BIN" run --app "$D" --only onee > "$T/b2" 2>&1; RC=$?
[ "$RC" = 1 ] || fail "--only with an unknown role exited $RC"
expect_line "$T/b2" "has no role 'onee'; did you mean 'one'\\?"
"$EXO_BIN" run --app "$D" --log-format xml > "$T/b3" 2>&1; RC=$?
[ "$RC" = 1 ] || fail "--log-format xml exited $RC"
[ ! -e "$D/.exo" ] || fail "a run refused for bad input left $(ls -A "$D/.exo")"
expect_nothing_left
pass "bad input"

# A service whose command does not exist, or that dies at once (issue 17 item 6): `ready:
# started` means still running after ready-settle (500 ms by default), so neither is reported
# ready, nor the app; exo names the service, its exit status and its last output, does not
# restart what cannot run (exit 127), and exits 1. Before the fix both were "ready in 5 ms
# (started)" and "all services ready" came first, and the missing command was restarted 5 times.
E=$T/dies-app
mkdir -p "$E"
cat > "$E/application.yml" <<'YML'
name: dies-test
shutdown-grace: 1s
services:
  good:
    location: ./good
  missing:
    location: ./missing
YML
service "$E/good" "startup:
  command: exec sleep 600"
service "$E/missing" "startup:
  command: echo about to run it; no-such-command-exo-test --serve"
t0=$(date +%s%N)
"$EXO_BIN" run --app "$E" > "$T/dies" 2>&1 &
EXO=$!
wait_exit $EXO 15
cat "$T/dies"
[ "$RC" = 1 ] || fail "exo run exited $RC when a command did not exist (want 1)"
[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 5000 ] || fail "exo took more than 5 s to give up on a missing command"
expect_no_line "$T/dies" 'missing ready'
expect_no_line "$T/dies" 'all services ready'
expect_line "$T/dies" '^ *exo \| missing failed: exited with code 127 \(command not found\) before it was ready; not restarting: a restart cannot help$'
expect_no_line "$T/dies" 'missing exited with code 127; restarting'
expect_line "$T/dies" "^ *exo \\| missing's last output:$"
expect_line "$T/dies" '^ *exo \|   about to run it$'
expect_line "$T/dies" '^ *exo \|   .*no-such-command-exo-test: (command )?not found$'
expect_line "$T/dies" 'the app failed to come up'
expect_nothing_left
pass "a missing command: not ready, named with its exit status and output, not restarted, exit 1"

# One that dies after a moment (restart: no): not ready either; its output is shown, masked.
cat > "$E/application.yml" <<'YML'
name: dies-test
shutdown-grace: 1s
env:
  TOKEN: {secret: tail-secret-value}
services:
  good:
    location: ./good
  brief:
    location: ./brief
    restart: no
YML
service "$E/brief" "startup:
  command: echo token \$TOKEN; echo config error, no such file settings.ini >&2; sleep 0.2; exit 3"
"$EXO_BIN" run --app "$E" > "$T/brief" 2>&1 &
EXO=$!
wait_exit $EXO 15
cat "$T/brief"
[ "$RC" = 1 ] || fail "exo run exited $RC when a service died while starting (want 1)"
expect_no_line "$T/brief" 'brief ready|all services ready'
expect_line "$T/brief" "brief failed: exited with code 3; restart policy 'no', not restarting"
expect_line "$T/brief" '^ *exo \|   config error, no such file settings\.ini$'
expect_line "$T/brief" '^ *exo \|   token \*+$'
expect_no_line "$T/brief" 'tail-secret-value'
expect_no_line "$E/.exo/logs/exo.log" 'tail-secret-value'
expect_nothing_left
pass "a service that dies while it settles is not ready"

# ready-settle: configurable (0 = ready as soon as it started), and never at least ready-timeout.
printf 'name: dies-test\nservices:\n  good:\n    location: ./good\n    ready-settle: 0\n' > "$E/application.yml"
"$EXO_BIN" run --app "$E" > "$T/settle0" 2>&1 &
EXO=$!
wait_for "$T/settle0" 'all services ready' 10
kill -INT $EXO
wait_exit $EXO 10
expect_line "$T/settle0" 'good ready in [0-9]+ ms \(started\)'
# A ready-timeout shorter than the default settle: the settle is half of it.
printf 'name: dies-test\nservices:\n  good:\n    location: ./good\n    ready-timeout: 400ms\n' > "$E/application.yml"
"$EXO_BIN" run --app "$E" > "$T/settle-short" 2>&1 &
EXO=$!
wait_for "$T/settle-short" 'all services ready|failed' 10
kill -INT $EXO
wait_exit $EXO 10
expect_line "$T/settle-short" 'good ready in [0-9]+ ms \(started\)'
printf 'name: dies-test\nservices:\n  good:\n    location: ./good\n    ready-timeout: 1s\n    ready-settle: 2s\n' > "$E/application.yml"
"$EXO_BIN" run --app "$E" > "$T/settle2" 2>&1; RC=$?
[ "$RC" = 1 ] || fail "ready-settle past ready-timeout exited $RC"
expect_line "$T/settle2" 'application.yml:6:19: error: services.good.ready-settle \(2000 ms\) must be shorter than its ready-timeout \(1000 ms\)'
expect_nothing_left
pass "ready-settle"
