#!/usr/bin/env bash
# bench/run-dash-bench.sh - what exo run's dashboard costs the bus (issue 13's benchmark).
# One `exo run` of a generated two-service app; bench-exo peers join its embedded broker as
# the app's roles (with the run's user token) and measure, in the same run:
#   throughput  one sender -> exo run's broker -> one receiver, 100 B, as fast as the bus
#               goes (the bus benchmark's tp100), with the dashboard page closed and open in
#               Debian's chromium, alternately (closed/open, then open/closed, ...); rate =
#               measured messages received / (last - first arrival); "exo run CPU/msg" is the
#               CPU time of the exo run process (broker + dashboard) per routed message
#   frames      the open page at a steady --rate (default 10,000 msg/s): the intervals
#               between its animation frames over --frames-ms, how many messages its edge
#               counter saw meanwhile, and how long a tab switch takes under that load
# Verdicts: the open page costs at most 5% of throughput (median of the paired ratios) and
# its frames stay under 50 ms (the 99th percentile; the maximum is shown).
#
# Usage: bench/run-dash-bench.sh [--pairs N] [--count N] [--rate N] [--frames-ms MS]
#                                [--builddir DIR] [--peers DIR] [--out FILE] [--keep]
#   --pairs N       closed/open pairs (default 5)
#   --count N       measured messages per throughput sample (default 200000; 10% warm-up)
#   --rate N        messages per second for the frame measurement (default 10000)
#   --frames-ms MS  how long frames are recorded (default 10000)
#   --builddir DIR  the build tree with exo, its plugins, the dashboard's page
#                   (core/dashboard/web) and tests/browser (default: this script's ../)
#   --peers DIR     where bench-exo is (default: DIR/bench of --builddir)
#   --out FILE      also write every sample (TSV)
#   --keep          keep the work directory and print its path
# Needs node, npm (playwright-core, installed by tests/browser/setup.sh as the browser tests
# do) and /usr/bin/chromium (EXO_CHROMIUM). Everything listens on 127.0.0.1.
set -u

PAIRS=5 COUNT=200000 RATE=10000 FRAMES_MS=10000 OUT="" KEEP=0 PEERS=""
HERE=$(cd "$(dirname "$0")" && pwd)
BUILDDIR=${EXO_TOP_BUILDDIR:-$HERE/..}

die() { echo "run-dash-bench: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case $1 in
        --pairs|--count|--rate|--frames-ms|--builddir|--peers|--out)
            [ $# -ge 2 ] || die "$1 needs a value"
            case $1 in
                --pairs) PAIRS=$2 ;; --count) COUNT=$2 ;; --rate) RATE=$2 ;;
                --frames-ms) FRAMES_MS=$2 ;; --builddir) BUILDDIR=$2 ;; --peers) PEERS=$2 ;;
                --out) OUT=$2 ;;
            esac
            shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
for v in "$PAIRS" "$COUNT" "$RATE" "$FRAMES_MS"; do
    case $v in ''|*[!0-9]*|0) die "--pairs, --count, --rate and --frames-ms want positive integers, got '$v'" ;; esac
done
BUILDDIR=$(cd "$BUILDDIR" 2>/dev/null && pwd) || die "no build directory $BUILDDIR"
PEERS=${PEERS:-$BUILDDIR/bench}
EXO_BIN=${EXO_BIN:-$BUILDDIR/exo}
BENCH_EXO=$PEERS/bench-exo
export EXO_PLUGIN_PATH=${EXO_PLUGIN_PATH:-$BUILDDIR/plugins/.libs} EXO_NO_INSTALLED_PLUGINS=1
[ -x "$EXO_BIN" ] || die "no exo at $EXO_BIN (make first, or --builddir)"
[ -x "$BENCH_EXO" ] || die "no bench-exo in $PEERS (make first, or --peers)"
! "$BENCH_EXO" send --rate 0 2>&1 | grep -q "unknown option" ||
    die "bench-exo in $PEERS is too old: it has no --rate (make it from this tree, or --peers)"
[ -d "$BUILDDIR/core/dashboard/web" ] && export EXO_DASHBOARD_DIR=${EXO_DASHBOARD_DIR:-$BUILDDIR/core/dashboard/web}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/exo-dash-bench.XXXXXX")
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    if [ "$KEEP" = 1 ]; then echo "work directory: $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The browser harness of the tests: node, npm, chromium, playwright-core in the build tree.
fail() { die "$*"; }
EXO_TOP_SRCDIR=$BUILDDIR EXO_TOP_BUILDDIR=$BUILDDIR
. "$BUILDDIR/tests/browser/setup.sh" || die "the browser harness is missing"
type browser_install >/dev/null 2>&1 && { browser_install >/dev/null || die "npm ci failed"; }
export EXO_BROWSER_LIB=$BUILDDIR/tests/browser/lib.mjs

# spawn, wait_line, finish, stop, cpu_ns
. "$HERE/lib.sh"
# wait_nth FILE REGEX N SECONDS: the Nth matching line of FILE, or fail.
wait_nth() {
    local i line
    for i in $(seq $(($4 * 20))); do
        line=$(grep -E "$2" "$1" 2>/dev/null | sed -n "$3p")
        [ -n "$line" ] && { echo "$line"; return 0; }
        sleep 0.05
    done
    return 1
}
# CPU time of PID and every process under it (the browser: node, chromium and its children).
tree_cpu_ns() {
    local pids
    pids=$(ps -eo pid=,ppid= | awk -v root="$1" '{parent[$1] = $2} END {
        for (p in parent) { q = p; while (q != "" && q != 0 && q != root) q = parent[q]; if (q == root) print p }
        print root }')
    for p in $pids; do cat /proc/"$p"/task/*/schedstat 2>/dev/null; done |
        awk '{n += $1} END {printf "%.0f\n", n}'
}

# ---- the app and its run --------------------------------------------------------------------
app=$TMP/app
mkdir -p "$app/sender" "$app/receiver"
printf 'startup:\n  command: exec sleep 1000000\nmessages:\n  sends: [bench.msg]\n' \
    >"$app/sender/service.yml"
printf 'startup:\n  command: exec sleep 1000000\nmessages:\n  receives: [bench.msg]\n' \
    >"$app/receiver/service.yml"
cat >"$app/application.yml" <<'EOF'
name: dash-bench
services:
  sender:
    location: ./sender
    ready: started
  receiver:
    location: ./receiver
    ready: started
EOF
spawn run "$EXO_BIN" run --app "$app"
RUN_PID=$SPAWNED
line=$(wait_line "$TMP/run.out" 'dashboard at http://127\.0\.0\.1:[0-9]+/[0-9a-f]+/' 60) ||
    line=$(wait_line "$TMP/run.err" 'dashboard at http://127\.0\.0\.1:[0-9]+/[0-9a-f]+/' 1) ||
    die "exo run did not print its dashboard: $(tail -5 "$TMP/run.out" "$TMP/run.err")"
URL=$(echo "$line" | grep -oE 'http://127\.0\.0\.1:[0-9]+/[0-9a-f]+/')
ENDPOINT=$(sed -n 's/.*"endpoint": *"\([^"]*\)".*/\1/p' "$app/.exo/bus.json")
EXO_BUS_TOKEN=$(sed -n 's/.*"token": *"\([0-9a-f]*\)".*/\1/p' "$app/.exo/bus.json")
export EXO_BUS_TOKEN
[ -n "$ENDPOINT" ] || die "no endpoint in $app/.exo/bus.json"
EDGE='sender>receiver>bench.msg'

# ---- the page -------------------------------------------------------------------------------
PAGE_PID=""
open_page() {
    exec 7> >(exec node "$HERE/dash-bench.mjs" "$URL" >"$TMP/page.out" 2>&1)
    PAGE_PID=$!
    wait_line "$TMP/page.out" '^ready$' 60 >/dev/null ||
        die "the dashboard did not come up in chromium: $(tail -5 "$TMP/page.out")"
}
close_page() {
    echo quit >&7
    exec 7>&-
    finish "$PAGE_PID" 20 || echo "run-dash-bench: the browser overran its time; killed" >&2
    PAGE_PID=""
}

# ---- one throughput sample: "RATE CPU_NS_PER_MSG" -------------------------------------------
throughput() { # NAME
    local r=tp-$1-recv s=tp-$1-send w=$((COUNT / 10)) c0 c1 rp sp
    local common=(--endpoint "$ENDPOINT" --subject bench.msg --size 100 --count "$COUNT"
                  --warmup "$w" --deadline-ms 120000)
    spawn "$r" "$BENCH_EXO" recv --role receiver "${common[@]}"; rp=$SPAWNED
    wait_line "$TMP/$r.out" '^ready' 20 >/dev/null || die "receiver: $(cat "$TMP/$r.out")"
    sleep 0.3 # the broker has the registration
    c0=$(cpu_ns "$RUN_PID") b0=0 b1=0
    [ -n "$PAGE_PID" ] && b0=$(tree_cpu_ns "$PAGE_PID")
    spawn "$s" "$BENCH_EXO" send --role sender "${common[@]}"; sp=$SPAWNED
    finish "$rp" 130
    c1=$(cpu_ns "$RUN_PID")
    [ -n "$PAGE_PID" ] && b1=$(tree_cpu_ns "$PAGE_PID")
    kill -TERM "$sp" 2>/dev/null; finish "$sp" 10
    awk -v c0="$c0" -v c1="$c1" -v b="$((b1 - b0))" '/^result recv/ {
        for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        n = v["count"] + v["warm"]
        rate = (v["count"] > 1 && v["last_ns"] > v["first_ns"]) ? v["count"] / ((v["last_ns"] - v["first_ns"]) / 1e9) : 0
        wall = (v["last_ns"] - v["first_ns"]) / 1e9
        printf "%.0f %.0f %.0f\n", rate, (n > 0 ? (c1 - c0) / n : 0), (wall > 0 ? b / 1e7 / wall : 0)
    }' "$TMP/$r.out"
}

record() { [ -n "$OUT" ] && echo "$1	$2	$3	$4" >>"$OUT"; return 0; }
[ -n "$OUT" ] && printf 'page\tmetric\tpair\tvalue\n' >"$OUT"

echo "exo run's dashboard: the bus with the page closed and open (pairs: $PAIRS, $COUNT x 100 B)"
echo "machine: $(nproc) cpus, $(awk '/model name/ {sub(/.*: /, ""); print; exit}' /proc/cpuinfo); load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-5s %-7s %12s %16s %14s\n' pair page 'msg/s' 'exo run ns/msg' 'browser %cpu'
declare -a CLOSED OPEN CLOSED_CPU OPEN_CPU
for p in $(seq "$PAIRS"); do
    order="closed open"
    [ $((p % 2)) = 0 ] && order="open closed"
    for state in $order; do
        [ "$state" = open ] && open_page
        throughput "$p-$state" >"$TMP/sample"
        read -r rate cpu browser <"$TMP/sample"
        [ "$state" = open ] && close_page
        [ -n "$rate" ] && [ "$rate" != 0 ] || die "no throughput measured (pair $p, page $state); see --keep"
        printf '%-5s %-7s %12s %16s %14s\n' "$p" "$state" "$rate" "$cpu" "$browser"
        record "$state" rate "$p" "$rate"; record "$state" cpu_ns_per_msg "$p" "$cpu"
        record "$state" browser_cpu_pct "$p" "$browser"
        if [ "$state" = open ]; then OPEN[$p]=$rate OPEN_CPU[$p]=$cpu; else CLOSED[$p]=$rate CLOSED_CPU[$p]=$cpu; fi
    done
done

median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
ratio_med=$(for p in $(seq "$PAIRS"); do awk -v a="${OPEN[$p]}" -v b="${CLOSED[$p]}" 'BEGIN {printf "%.4f\n", a / b}'; done | median)
cpu_med=$(for p in $(seq "$PAIRS"); do awk -v a="${OPEN_CPU[$p]}" -v b="${CLOSED_CPU[$p]}" 'BEGIN {printf "%.4f\n", a / b}'; done | median)
closed_med=$(printf '%s\n' "${CLOSED[@]}" | median)
open_med=$(printf '%s\n' "${OPEN[@]}" | median)
echo
echo "throughput, median: closed $closed_med msg/s, open $open_med msg/s"
drop=$(awk -v r="$ratio_med" 'BEGIN {printf "%.1f", (1 - r) * 100}')
verdict=$(awk -v r="$ratio_med" 'BEGIN {print ((r >= 0.95) ? "ok" : "OVER")}')
echo "paired open/closed: throughput x$ratio_med (a drop of $drop%; target at most 5%: $verdict), exo run CPU/msg x$cpu_med"
record summary throughput_ratio - "$ratio_med"; record summary cpu_ratio - "$cpu_med"

# ---- frames at a steady rate ----------------------------------------------------------------
SECS=$(( (FRAMES_MS + 4000) / 1000 ))
N=$((RATE * SECS))
open_page
# The same page without traffic first: what this machine's load alone does to the frames.
echo "frames $FRAMES_MS $EDGE" >&7
idle=$(wait_line "$TMP/page.out" '^frames ' $((FRAMES_MS / 1000 + 30))) || die "no frames: $(tail -5 "$TMP/page.out")"
common=(--endpoint "$ENDPOINT" --subject bench.msg --size 100 --count "$N" --warmup 0
        --deadline-ms $(( (SECS + 30) * 1000 )))
spawn frames-recv "$BENCH_EXO" recv --role receiver "${common[@]}"; rp=$SPAWNED
wait_line "$TMP/frames-recv.out" '^ready' 20 >/dev/null || die "receiver: $(cat "$TMP/frames-recv.out")"
sleep 0.3
c0=$(cpu_ns "$RUN_PID"); t0=$(date +%s%N)
spawn frames-send "$BENCH_EXO" send --role sender --rate "$RATE" "${common[@]}"; sp=$SPAWNED
sleep 2 # the load is steady
echo "frames $FRAMES_MS $EDGE" >&7
fl=$(wait_nth "$TMP/page.out" '^frames ' 2 $((FRAMES_MS / 1000 + 30))) || die "no frames: $(tail -5 "$TMP/page.out")"
finish "$rp" $((SECS + 30))
c1=$(cpu_ns "$RUN_PID"); t1=$(date +%s%N)
kill -TERM "$sp" 2>/dev/null; finish "$sp" 10
close_page
got=$(awk '/^result recv/ {for (i = 3; i <= NF; i++) {split($i, kv, "="); if (kv[1] == "count") print kv[2]}}' "$TMP/frames-recv.out")
cpu_pct=$(awk -v c="$((c1 - c0))" -v t="$((t1 - t0))" 'BEGIN {printf "%.0f", 100 * c / t}')
echo
echo "page at $RATE msg/s for $((FRAMES_MS / 1000)) s (${got:-0} of $N messages received; exo run used $cpu_pct% of a core):"
echo "  ${fl#frames }"
echo "  the same page without traffic: ${idle#frames }"
p99=$(echo "$fl" | grep -oE 'p99=[0-9.]+' | cut -d= -f2)
echo "  frames under 50 ms (p99 $p99 ms): $(awk -v v="${p99:-999}" 'BEGIN {print ((v < 50) ? "ok" : "OVER")}')"
record open frames - "${fl#frames }"
record open idle_frames - "${idle#frames }"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
