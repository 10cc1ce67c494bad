#!/bin/bash
# bench/run-startup.sh - how long `exo run` takes to bring up an app of N trivial services
# (default 20) compared with the slowest service's own start time.
#
# Each service sleeps a different time (0.05 s .. 1.0 s) and then prints its online text;
# the slowest one alone takes SLOWEST ms when started by hand. exo's figure is the one it
# prints itself ("all services ready ... in X ms", from the first start to the last ready).
# Overhead = X - SLOWEST. Runs ROUNDS times (default 5) and prints the median.
#
# Usage: bench/run-startup.sh [N] [ROUNDS]   (from a built tree, or with EXO_BIN set)
set -eu
N=${1:-20}
ROUNDS=${2:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
EXO_BIN=${EXO_BIN:-$top/exo}
export EXO_PLUGIN_PATH=${EXO_PLUGIN_PATH:-$top/plugins/.libs}
work=$(mktemp -d /tmp/exo-bench.XXXXXX)
exo_pid=
trap '[ -n "$exo_pid" ] && kill -KILL $exo_pid 2>/dev/null; rm -rf "$work"' EXIT

app=$work/app
mkdir -p "$app"
{
  echo "name: bench-startup"
  echo "shutdown-grace: 1s"
  echo "services:"
  for ((i = 1; i <= N; i++)); do
    printf '  svc-%02d:\n    location: ./svc-%02d\n' "$i" "$i"
  done
} > "$app/application.yml"
for ((i = 1; i <= N; i++)); do
  d=$(printf '%s/svc-%02d' "$app" "$i")
  mkdir -p "$d"
  ms=$(( 50 + (950 * (i - 1)) / (N > 1 ? N - 1 : 1) ))
  printf 'startup:\n  command: sleep %d.%03d; echo service online; exec sleep 600\n  online-text: service online\n' \
    $((ms / 1000)) $((ms % 1000)) > "$d/service.yml"
done
slow_cmd="sleep 1.000; echo service online"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now_ms() { date +%s%3N; }

# The slowest service's own start time, measured the same way (start to online line).
own=()
for ((r = 0; r < ROUNDS; r++)); do
  t0=$(now_ms)
  sh -c "$slow_cmd" | grep -q 'service online'
  own+=($(( $(now_ms) - t0 )))
done
slowest=$(printf '%s\n' "${own[@]}" | median)

ready=()
wall=()
for ((r = 0; r < ROUNDS; r++)); do
  t0=$(now_ms)
  "$EXO_BIN" run --app "$app" --log-format json > "$work/out" 2>/dev/null &
  exo_pid=$!
  for ((i = 0; i < 600; i++)); do
    grep -q 'all services ready' "$work/out" && break
    sleep 0.02
  done
  x=$(sed -n 's/.*all services ready.* in \([0-9]*\) ms.*/\1/p' "$work/out")
  kill -INT $exo_pid; wait $exo_pid || true
  exo_pid=
  [ -n "$x" ] || { cat "$work/out" >&2; echo "exo run did not come up" >&2; exit 1; }
  ready+=("$x")
  # From launching exo to the line's own timestamp: exo's start-up (plugins, bus) included.
  w=$(/usr/bin/python3 -c '
import json, sys, datetime
for l in open(sys.argv[1]):
    o = json.loads(l)
    if "all services ready" in o["line"]:
        t = datetime.datetime.strptime(o["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
        t = t.replace(tzinfo=datetime.timezone.utc)
        print(int(t.timestamp() * 1000) - int(sys.argv[2]))
' "$work/out" "$t0")
  wall+=("$w")
done
r=$(printf '%s\n' "${ready[@]}" | median)
echo "services: $N, rounds: $ROUNDS"
echo "slowest service alone: ${slowest} ms (median)"
echo "exo run, all ready:    ${r} ms (median; runs: ${ready[*]})"
w=$(printf '%s\n' "${wall[@]}" | median)
echo "overhead:              $((r - slowest)) ms"
echo "from launching exo:    ${w} ms (median; runs: ${wall[*]}), overhead $((w - slowest)) ms"
