#!/bin/bash
# bench/containers-up.sh - how fast 10 container services come up under `exo run --backend
# ENGINE`, next to `docker-compose up` / `podman-compose up` for the same services, measured in
# the same run on a private engine (tests/support/engines.sh).
#
#   bench/containers-up.sh [docker|podman] [ROUNDS]     (as root; EXO_BIN, EXO_PLUGIN_PATH)
#
# Service i (1..10) sleeps i*100 ms, then prints "svc-i online" and keeps running, so the
# slowest service needs 1.0 s after its container starts. Reported per round:
#   alone:   the slowest service by itself with `ENGINE run` (launch -> its online line)
#   floor:   exo run of 10 services that are online at once (the same image and network
#            work, no service delay): what the engine needs for 10 containers here
#   exo 1st: launch -> "all services ready" with nothing learned (.exo/start-times.json
#            removed): services start in manifest order, the slowest last
#   exo:     the same after a run, the usual case: exo starts the slowest first
#   compose: launch -> the 10th "svc-i online" line in `compose up`'s output
# All include creating the network and the containers; images are prepared beforehand.
set -u
ENGINE=${1:-docker}
ROUNDS=${2:-3}
TOP=$(cd "$(dirname "$0")/.." && pwd)
: "${EXO_BIN:=$TOP/exo}"
: "${EXO_PLUGIN_PATH:=$TOP/plugins/.libs}"
export EXO_PLUGIN_PATH
. "$TOP/tests/support/engines.sh"
engines_require "$ENGINE" || exit 1
case $ENGINE in
  docker) COMPOSE=docker-compose ;;
  podman) COMPOSE=podman-compose ;;
esac
command -v $COMPOSE >/dev/null || { echo "needs $COMPOSE (Debian package)"; exit 1; }
T=$(mktemp -d /tmp/exo-bench-XXXXXX)
trap 'engine_${ENGINE}_stop; rm -rf "$T"' EXIT
"engine_${ENGINE}_start" "$T" || exit 1
engine_import_busybox "$ENGINE" exo-busybox:bench >/dev/null 2>&1 || exit 1

A=$T/app
F=$T/floor
{ echo "version: '2.4'"; echo "services:"; } > "$T/compose.yml"
# write_app DIR NAME DELAYS: service i sleeps i*100 ms when DELAYS is "yes", else not at all.
write_app() {
  mkdir -p "$1"
  { echo "name: $2"; echo "backend: $ENGINE"; echo "services:"; } > "$1/application.yml"
  local i d cmd
  for i in $(seq 1 10); do
    mkdir -p "$1/svc-$i"
    d=$(printf '%d.%d' $((i / 10)) $((i % 10)))
    [ "$3" = yes ] || d=0
    cmd="sleep $d; echo svc-$i online; exec sleep 600"
    printf '  svc-%d:\n    location: ./svc-%d\n' "$i" "$i" >> "$1/application.yml"
    printf 'startup:\n  command: %s\n  online-text: svc-%d online\ndocker:\n  image: exo-busybox:bench\n' \
      "$cmd" "$i" > "$1/svc-$i/service.yml"
    [ "$3" = yes ] && printf '  svc-%d:\n    image: exo-busybox:bench\n    command: ["/bin/sh", "-c", "%s"]\n' \
      "$i" "$cmd" >> "$T/compose.yml"
  done
}
write_app "$A" benchten yes
write_app "$F" benchfloor no

now_ms() { date +%s%3N; }
# stop_pid PID: Ctrl-C, then SIGKILL after 60 s; exo's own shutdown is not measured.
stop_pid() {
  kill -INT "$1" 2>/dev/null
  local i
  for ((i = 0; i < 600; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}
# wait_lines FILE REGEX COUNT: until COUNT lines match (60 s at most).
wait_lines() {
  local i
  for ((i = 0; i < 6000; i++)); do
    [ "$(grep -cE -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
    sleep 0.01
  done
  return 1
}

# exo_up APP: launch -> "all services ready" in ms, then Ctrl-C.
exo_up() {
  : > "$T/exo.out"
  local t0 t1 pid
  t0=$(now_ms)
  "$EXO_BIN" run --app "$1" --backend "$ENGINE" > "$T/exo.out" 2>&1 &
  pid=$!
  wait_lines "$T/exo.out" 'all services ready' 1 || { cat "$T/exo.out" >&2; return 1; }
  t1=$(now_ms)
  stop_pid $pid
  echo $((t1 - t0))
}

echo "engine $ENGINE, 10 services, slowest needs 1.0 s after start; $ROUNDS rounds"
for r in $(seq 1 "$ROUNDS"); do
  # the slowest service alone, as a plain `ENGINE run` (launch -> its online line)
  : > "$T/alone.out"
  t0=$(now_ms)
  "$ENGINE" run --rm --name benchalone exo-busybox:bench /bin/sh -c \
    "sleep 1.0; echo svc-10 online; exec sleep 600" > "$T/alone.out" 2>&1 &
  pid=$!
  wait_lines "$T/alone.out" 'svc-10 online' 1 || { cat "$T/alone.out"; exit 1; }
  t1=$(now_ms)
  alone_ms=$((t1 - t0))
  "$ENGINE" rm -f benchalone >/dev/null 2>&1
  stop_pid $pid

  floor_ms=$(exo_up "$F") || exit 1
  rm -f "$A/.exo/start-times.json"
  first_ms=$(exo_up "$A") || exit 1
  exo_ms=$(exo_up "$A") || exit 1

  : > "$T/compose.out"
  t0=$(now_ms)
  (cd "$T" && exec $COMPOSE -p benchten -f compose.yml up > "$T/compose.out" 2>&1) &
  pid=$!
  wait_lines "$T/compose.out" 'svc-[0-9]+ online' 10 || { cat "$T/compose.out"; exit 1; }
  t1=$(now_ms)
  (cd "$T" && timeout 120 $COMPOSE -p benchten -f compose.yml down -t 0 > /dev/null 2>&1)
  stop_pid $pid
  compose_ms=$((t1 - t0))
  echo "round $r: slowest alone $alone_ms ms; floor (10 instant services) $floor_ms ms;" \
       "exo run ready: first run $first_ms ms, learned $exo_ms ms;" \
       "$COMPOSE up: all online in $compose_ms ms"
done
