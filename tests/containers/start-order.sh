#!/bin/bash
# exo learns how long each service takes to start and starts the slowest first next time:
# .exo/start-times.json holds each unit's own start-up (from its container running to ready,
# engine work excluded), and the docker backend creates containers one at a time in the
# core's order, so the order is visible in the engine's event stream.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/support/engines.sh"
engines_require docker; r=$?
[ $r = 0 ] || exit $r
trap 'engine_docker_stop; lib_cleanup' EXIT
engine_docker_start "$T" || fail "docker did not start"
engine_import_busybox docker exo-busybox:test || fail "importing busybox into docker"

A=$T/app
mkdir -p "$A"
printf 'name: order\nbackend: docker\nservices:\n' > "$A/application.yml"
for role in fast-a fast-b slow; do
  printf '  %s:\n    location: ./%s\n' "$role" "$role" >> "$A/application.yml"
  delay=0
  [ "$role" = slow ] && delay=1.5
  service "$A/$role" "startup:
  command: sleep $delay; echo $role online; exec sleep 600
  online-text: $role online
docker:
  image: exo-busybox:test"
done

# run_once OUT: exo run until ready, then Ctrl-C; prints the order the engine created the
# containers in (their exo.unit labels), one line.
run_once() {
  local since
  since=$(date +%s.%N)
  "$EXO_BIN" run --app "$A" > "$1" 2>&1 &
  local pid=$!
  wait_for "$1" 'all services ready' 120
  kill -INT $pid
  wait_exit $pid 60
  [ "$RC" = 0 ] || fail "exo run exited $RC after Ctrl-C"
  docker events --since "$since" --until "$(date +%s.%N)" --filter type=container \
    --filter event=create --format '{{index .Actor.Attributes "exo.unit"}}' | tr '\n' ' '
}

# 1. Nothing learned yet: the manifest's order. What was learned is each unit's own start-up.
ORDER=$(run_once "$T/out1")
[ "$ORDER" = "fast-a fast-b slow " ] || fail "first run created '$ORDER', want the manifest order"
F=$A/.exo/start-times.json
[ -f "$F" ] || fail "no $F after a run"
ms() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$F" "$1"; }
SLOW=$(ms slow) FAST_A=$(ms fast-a) FAST_B=$(ms fast-b)
# It sleeps 1.5 s from when it runs; the engine answers the start a little after that.
[ "$SLOW" -ge 1300 ] && [ "$SLOW" -lt 6000 ] || fail "slow took ${SLOW} ms to start, want 1300..6000"
[ "$FAST_A" -lt 300 ] && [ "$FAST_B" -lt 300 ] ||
  fail "fast ones took $FAST_A and $FAST_B ms: engine time was counted as theirs"
# The ready line splits the time between the engine and the service.
LINE=$(grep -E '^ *exo \| slow ready in [0-9]+ ms \(online text seen; its container ran after [0-9]+ ms\)$' "$T/out1") ||
  { cat "$T/out1"; fail "no ready line with the container's time for slow"; }
TOTAL=$(echo "$LINE" | sed -E 's/.*ready in ([0-9]+) ms.*/\1/')
ENG=$(echo "$LINE" | sed -E 's/.*ran after ([0-9]+) ms.*/\1/')
[ $((TOTAL - ENG)) = "$SLOW" ] || fail "ready line '$LINE' does not match the learned $SLOW ms"
pass "first run: manifest order; learned slow=$SLOW fast-a=$FAST_A fast-b=$FAST_B ms"

# 2. The next run starts the slowest first; the others keep their order.
ORDER=$(run_once "$T/out2")
[ "$ORDER" = "slow fast-a fast-b " ] || fail "second run created '$ORDER', want slow first"
pass "second run: slow service created first"

# 3. A damaged record is not an error: manifest order again, and it is rewritten.
echo '{"slow": ' > "$F"
ORDER=$(run_once "$T/out3")
[ "$ORDER" = "fast-a fast-b slow " ] || fail "with a damaged record created '$ORDER'"
expect_no_line "$T/out3" 'start-times'
[ "$(ms slow)" -ge 1300 ] || { cat "$F" "$T/out3"; fail "the damaged record was not rewritten"; }
pass "damaged record: manifest order, rewritten"
[ -z "$(docker ps -aq --filter label=exo.app=order)" ] || fail "containers left behind"
