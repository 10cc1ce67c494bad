# Issue 18 finding 8: every process of a unit gets its shutdown-grace, also when the unit's
# command is not started with exec and the `sh -c` leader dies on SIGTERM first: a Python
# service whose SIGTERM handler takes a second and then writes a file must write it.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
A=$T/app
mkdir -p "$A"
cat > "$A/application.yml" <<'YML'
name: grace-test
shutdown-grace: 5s
services:
  py:
    location: ./py
  chain:
    location: ./chain
YML
cat > "$T/service.py" <<'PY'
import signal, sys, time
def stop(signo, frame):
    time.sleep(1)
    open(sys.argv[1], "w").write("clean shutdown\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print("py listening", flush=True)
while True:
    time.sleep(0.1)
PY
# The templates' form (python-service, client): the command without exec; and a shell that
# runs a command before the service, which keeps the shell as the group's leader.
service "$A/py" "startup:
  command: /usr/bin/python3 $T/service.py $T/py.done
  online-text: py listening"
service "$A/chain" "startup:
  command: echo starting; /usr/bin/python3 $T/service.py $T/chain.done
  online-text: py listening"

"$EXO_BIN" run --app "$A" > "$T/out" 2>&1 &
EXO=$!
wait_for "$T/out" 'all services ready' 20
t0=$(date +%s%N)
kill -INT $EXO
wait_exit $EXO 15
t1=$(date +%s%N)
cat "$T/out"
[ "$RC" = 0 ] || fail "exo run exited $RC"
for u in py chain; do
  [ -s "$T/$u.done" ] || fail "$u: the SIGTERM handler did not finish within the grace"
done
ms=$(( (t1 - t0) / 1000000 ))
[ "$ms" -lt 4500 ] || fail "stopping took $ms ms: the grace should end when the group is empty"
expect_nothing_left
pass "every process of a unit gets its shutdown grace ($ms ms)"
