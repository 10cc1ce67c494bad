#!/bin/bash
# services.<role>.instances under exo run: three instances of a worker start (each with its
# EXO_INSTANCE), the app is ready once all three are, requests sent to the role are spread
# over them by the bus (round robin) and every reply goes back to the asker; after one is
# killed the other two keep serving. A role that listens on a port runs once, with a warning.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
app=$T/app
mkdir -p "$app/worker" "$app/asker" "$app/web"
cat >"$app/application.yml" <<'YEOF'
name: many
services:
  asker:
    location: ./asker
    ready: started
  worker:
    location: ./worker
    instances: 3
    restart: "no"
YEOF
cat >"$app/asker/service.yml" <<'YEOF'
type: client
startup:
  command: exec sleep 600
messages:
  sends: [job.run]
  receives: [job.done]
YEOF
cat >"$app/worker/service.yml" <<'YEOF'
type: worker
startup:
  command: exec /usr/bin/python3 worker.py
  online-text: worker online
messages:
  receives: [job.run]
  sends: [job.done]
YEOF
cat >"$app/worker/worker.py" <<'PYEOF'
import os
import exo_service

svc = exo_service.Service()

@svc.on("job.run")
def run(msg):
    svc.reply(msg, "job.done", {"instance": os.environ.get("EXO_INSTANCE"), "pid": os.getpid()})

print("worker online", os.environ.get("EXO_INSTANCE", "single"), flush=True)
svc.run()
PYEOF
export EXO_PYTHON_DIR=$EXO_TOP_SRCDIR/plugins/transport-zmq/python
"$EXO_BIN" run --app "$app" >"$T/run.out" 2>&1 &
run_pid=$!
wait_for "$T/run.out" "all services ready" 60 || { cat "$T/run.out"; fail "the app did not come up"; }
[ "$(grep -cE 'worker online [0-9]$' "$T/run.out")" = 3 ] || { cat "$T/run.out"; fail "not three workers"; }
for k in 1 2 3; do
  grep -q "worker online $k\$" "$T/run.out" || fail "no instance $k: $(cat "$T/run.out")"
done
pass "three instances started, the app was ready once all were"

# send: one job as asker; the reply's instance and pid on stdout.
send() {
  "$EXO_BIN" send --app "$app" --as asker --wait --timeout 3000 job.run '{}' >"$T/reply" 2>&1 ||
    return 1
  grep -q '"name":"job.done"' "$T/reply" || return 1
  sed -E 's/.*"instance":"([0-9]+)".*"pid":([0-9]+).*/\1 \2/' "$T/reply"
}
: >"$T/seen"
for i in 1 2 3 4 5 6; do
  send >>"$T/seen" || fail "send $i: $(cat "$T/reply")"
done
[ "$(cut -d' ' -f1 "$T/seen" | sort -u | tr '\n' ' ')" = "1 2 3 " ] ||
  fail "requests were not spread over the three instances: $(cat "$T/seen")"
pass "six requests were answered by all three instances, each reply back to the asker"

victim=$(awk '$1 == 2 {print $2; exit}' "$T/seen")
kill -9 "$victim" || fail "cannot kill instance 2 (pid $victim)"
: >"$T/after"
answered=0
for i in $(seq 1 30); do
  if send >>"$T/after"; then
    answered=$((answered + 1))
    [ "$answered" = 4 ] && break
  fi
done
[ "$answered" = 4 ] || fail "the two remaining instances did not serve: $(cat "$T/after")"
grep -q "^2 " "$T/after" && fail "the killed instance answered: $(cat "$T/after")"
[ "$(cut -d' ' -f1 "$T/after" | sort -u | tr '\n' ' ')" = "1 3 " ] ||
  fail "the two others did not share the work: $(cat "$T/after")"
pass "after one was killed the two others kept serving"
kill -INT "$run_pid"
wait "$run_pid"

# A role with a port runs once under exo run, and exo run says why.
sed -i 's/^type: worker$/type: worker\nport: 8123/' "$app/worker/service.yml"
"$EXO_BIN" run --app "$app" >"$T/run2.out" 2>&1 &
run_pid=$!
wait_for "$T/run2.out" "all services ready|failed" 60 || { cat "$T/run2.out"; fail "second run"; }
kill -INT "$run_pid"
wait "$run_pid"
grep -q "services.worker.instances is 3, but it listens on port 8123: exo run starts one instance" \
  "$T/run2.out" || fail "no warning for a role with a port: $(cat "$T/run2.out")"
[ "$(grep -cE "worker \| worker online single$" "$T/run2.out")" = 1 ] || fail "a role with a port ran more than once"
pass "a role with a port runs once, with a warning"
