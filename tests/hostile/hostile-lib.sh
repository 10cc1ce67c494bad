# tests/hostile/hostile-lib.sh - the hostile-client suite (issue 18): an app with a few roles,
# `exo bus` for it, raw and SDK clients against it, and the broker's memory read from
# /proc/PID/status. Each script is bounded in time (TIME_LIMIT) and checks legitimate traffic
# after the hostile part.
. "$EXO_TOP_SRCDIR/tests/bus/bus-lib.sh"
export PYTHONPATH="$EXO_TOP_SRCDIR/plugins/transport-zmq/python:$EXO_TOP_SRCDIR/tests/hostile${PYTHONPATH:+:$PYTHONPATH}"
$PY -c 'import zmq' 2>/dev/null || skip_or_fail "/usr/bin/python3 with zmq (python3-zmq)"

# A watchdog: the whole script is killed after TIME_LIMIT seconds (default 60).
( trap 'kill $sp 2>/dev/null; exit 0' TERM; sleep "${TIME_LIMIT:-60}" & sp=$!; wait $sp
  echo "FAIL: over ${TIME_LIMIT:-60} s" >&2; kill -TERM $$ ) &
_exo_pids="$_exo_pids $!"

# make_app ROLE:SENDS:RECEIVES...: an app "hostile" in $T/app whose roles send and receive the
# comma-separated names given (services never started: the tests connect their own clients).
make_app() {
  A="$T/app"; mkdir -p "$A"
  printf 'name: hostile\nservices:\n' > "$A/application.yml"
  local spec role sends recvs
  for spec in "$@"; do
    IFS=: read -r role sends recvs <<< "$spec"
    printf '  %s:\n    location: ./%s\n' "$role" "$role" >> "$A/application.yml"
    mkdir -p "$A/$role"
    printf 'startup:\n  command: "true"\nmessages:\n  sends: [%s]\n  receives: [%s]\n' \
      "$sends" "$recvs" > "$A/$role/service.yml"
  done
}

# start_exo_bus [exo bus options...]: `exo bus` for $A; sets BUS_PID, EP, CTL, BUS_OUT and
# exports EXO_BUS_TOKEN (the user token of .exo/bus.json) for the clients started after it.
start_exo_bus() {
  local port; port=$(free_port)
  BUS_OUT="$T/exobus.out"
  bg "$BUS_OUT" "$EXO_BIN" bus --app "$A" --listen "tcp://127.0.0.1:$port" "$@"
  BUS_PID=$BG_PID
  wait_for "$BUS_OUT" 'listening on tcp://127.0.0.1:'"$port" 20
  EP="tcp://127.0.0.1:$port"
  CTL=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["control"])' "$A/.exo/bus.json")
  use_bus_token "$A"
}

# mem_kb PID FIELD: VmHWM or VmRSS of PID in KiB.
mem_kb() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }

# assert_mem_below PID MIB WHAT: the peak RSS (VmHWM) of PID stays under MIB MiB. Not in a
# sanitizer build (make check-asan): there the RSS is mostly ASan's (freed memory held in its
# quarantine, shadow memory, redzones), so the bound says nothing about the broker; the plain
# build's suite checks it.
assert_mem_below() {
  local hwm; hwm=$(mem_kb "$1" VmHWM)
  if [ -n "${EXO_SANITIZE_FLAGS:-}" ]; then
    echo "broker peak RSS after $3: $((hwm / 1024)) MiB (bound $2 MiB not checked in a sanitizer build)"
    return 0
  fi
  echo "broker peak RSS after $3: $((hwm / 1024)) MiB (bound $2 MiB)"
  [ "$hwm" -lt $(($2 * 1024)) ] || fail "broker peak RSS $((hwm / 1024)) MiB after $3 (bound $2 MiB)"
}

# stats: the broker's stats through the control socket (fails after 3 s).
stats() { timeout 3 "$BUSD" stats "$CTL"; }

# legit_request: a real service answers a real request (legitimate traffic still flows).
legit_request() {
  local out="$T/legit.$RANDOM"
  svc users "$out.u" --label legit --reply users.get=users.got; local u=$BG_PID
  wait_for "$out.u" '^users online$'
  EXO_ROLE=web EXO_BUS_ENDPOINT=$EP "$TSVC" --request users.get 3000 > "$out" 2>&1 ||
    fail "legitimate request failed: $(cat "$out")"
  grep -q '^reply users.got from users' "$out" || fail "legitimate request: $(cat "$out")"
  kill "$u"; wait "$u" 2>/dev/null
}

# flood COUNT SIZE [NAME]: web sends COUNT messages of about SIZE bytes (default users.put).
flood() {
  EXO_ROLE=web EXO_BUS_ENDPOINT=$EP "$TSVC" --flood "${3:-users.put}" "$1" --size "$2" > "$T/flood" 2>&1 ||
    fail "flood: $(cat "$T/flood")"
}

# route_counts NAME: "delivered D dropped X no_receiver N" of the route NAME from stats.
route_counts() {
  stats > "$T/stats.json" || fail "stats did not answer"
  $PY -c 'import json,sys; r=[x for x in json.load(open(sys.argv[1]))["routes"] if x["name"]==sys.argv[2]][0]; print("delivered %d dropped %d no_receiver %d" % (r["delivered"], r["dropped"], r["no_receiver"]))' "$T/stats.json" "$1"
}

# stats_prompt MAX_MS: stats answer within MAX_MS (prints the time taken).
stats_prompt() {
  local t0 t1; t0=$(date +%s%N); stats > /dev/null || fail "stats did not answer"; t1=$(date +%s%N)
  local ms=$(( (t1 - t0) / 1000000 )); echo "stats answered in $ms ms"
  [ "$ms" -le "$1" ] || fail "stats took $ms ms (bound $1 ms)"
}

# settled_counts NAME: route_counts once they stop changing (the broker may still be routing).
settled_counts() {
  local prev="" cur i
  for i in $(seq 1 40); do
    cur=$(route_counts "$1"); [ "$cur" = "$prev" ] && break
    prev=$cur; sleep 0.5
  done
  echo "$cur"
}
