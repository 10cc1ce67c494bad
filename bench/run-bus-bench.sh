#!/usr/bin/env bash
# bench/run-bus-bench.sh - the exo bus benchmark (issue 3, part 5). Measures, in one run on
# one machine, the exo bus through the real SDK (libexoservice) and the real broker, side by
# side with two references in the same topology: nats-server with libnats (the peer) and
# ZeroMQ PUSH->PULL directly between the two processes, no broker (the ceiling).
#
# Usage: bench/run-bus-bench.sh [--reps N] [--quick] [--transports "exo busd nats zmq"]
#                               [--workloads "rss tp100 tp1k rr fan pairs"]
#                               [--builddir DIR] [--out FILE] [--keep]
#   --reps N        repetitions of every measurement; the median is reported (default 7)
#   --quick         a tenth of the message counts (a smoke run; numbers are noisier)
#   --transports    which columns to measure (default: every one that is built):
#                     exo   the broker as users start it: `exo bus --app DIR` (it prints a
#                           trace line per routed message, as exo run's embedded broker does)
#                     busd  the same zmq plugin loaded in-process by the test driver
#                           plugins/transport-zmq/tests/busd, with no event observer: the
#                           broker's own cost
#                     nats  nats-server -a 127.0.0.1 -p -1 and libnats peers
#                     zmq   ZeroMQ directly between the peers, no broker
#                     exonats  exo over NATS: the nats transport plugin (busd with
#                           EXO_BUS_TRANSPORT=nats starts nats-server with the generated
#                           permissions), the same bench-exo peers with their roles' secrets
#                           and contracts (docs/bus-nats.md); compared with the nats column.
#                           Its broker CPU and RSS are not measured (the server is nats-server)
#   --workloads     which workloads to run (default: all of them; e.g. "tp100 rr pairs" for a
#                   short run)
#   --builddir DIR  the build tree with exo and bench/bench-* (default: this script's ../)
#   --out FILE      also write every sample and the medians there (TSV)
#   --keep          keep the work directory (peer and broker output) and print its path
#
# Workloads (same sizes and counts for every transport; warm-up excluded; counted on the
# receiver side; every peer is bounded by --deadline-ms and the driver kills stragglers):
#   tp100 / tp1k   one sender process -> broker -> one receiver process, 100 B / 1 KiB
#                  payloads; rate = measured messages received / (last - first arrival)
#   rr             request/reply round trips, 100 B, one requester, one echo process;
#                  p50, p99 and p99.9 of the round trip
#   fan1/4/16      one sender -> broker -> 1, 4, 16 receiver processes (one role each);
#                  rate = deliveries summed over receivers / (last - first arrival overall)
#   pairs1/4/16    1, 4, 16 independent sender -> receiver pairs at once (one role and one
#                  subject per process), 100 B, the tp100 count split over the pairs;
#                  rate = deliveries summed over receivers / (last - first arrival overall)
#   cpu            the broker's CPU time (all threads, /proc/PID/task/*/schedstat) during
#                  tp100 / tp1k / pairsK divided by the messages it routed: less noisy than
#                  rates on a shared machine
#   rss            broker VmRSS, fresh broker, idle and with 100 connected services (one
#                  process holding 100 connections, each registered as its own role)
# Everything listens on 127.0.0.1 with kernel-chosen ports and is stopped on exit.
set -u

REPS=7
QUICK=0
KEEP=0
OUT=""
TRANSPORTS=""
WORKLOADS="rss tp100 tp1k rr fan pairs"
HERE=$(cd "$(dirname "$0")" && pwd)
BUILDDIR=${EXO_TOP_BUILDDIR:-$HERE/..}

die() { echo "run-bus-bench: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case $1 in
        --reps) [ $# -ge 2 ] || die "--reps needs a number"; REPS=$2; shift 2 ;;
        --quick) QUICK=1; shift ;;
        --transports) [ $# -ge 2 ] || die "--transports needs a list"; TRANSPORTS=$2; shift 2 ;;
        --workloads) [ $# -ge 2 ] || die "--workloads needs a list"; WORKLOADS=$2; shift 2 ;;
        --builddir) [ $# -ge 2 ] || die "--builddir needs a directory"; BUILDDIR=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || die "--out needs a file"; OUT=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
for w in $WORKLOADS; do
    case $w in rss|tp100|tp1k|rr|fan|pairs) ;; *) die "unknown workload '$w' (see --help)" ;; esac
done
wants() { case " $WORKLOADS " in *" $1 "*) return 0 ;; esac; return 1; }
case $REPS in ''|*[!0-9]*|0) die "--reps wants a positive integer, got '$REPS'" ;; esac
BUILDDIR=$(cd "$BUILDDIR" 2>/dev/null && pwd) || die "no build directory $BUILDDIR"
BENCH=$BUILDDIR/bench
EXO_BIN=${EXO_BIN:-$BUILDDIR/exo}
export EXO_PLUGIN_PATH=${EXO_PLUGIN_PATH:-$BUILDDIR/plugins/.libs}
BUSD=$BUILDDIR/plugins/transport-zmq/tests/busd

# Counts: measured messages and warm-up messages per workload.
N100=200000 W100=20000
N1K=100000 W1K=10000
NRR=5000 WRR=500
NFAN=50000 WFAN=5000
if [ "$QUICK" = 1 ]; then
    N100=20000 W100=2000 N1K=10000 W1K=1000 NRR=1000 WRR=100 NFAN=5000 WFAN=500
fi
DEADLINE_MS=60000
IDLE_SERVICES=100
MAX_PAIRS=16

available() {
    case $1 in
        zmq) [ -x "$BENCH/bench-zmq" ] ;;
        nats) [ -x "$BENCH/bench-nats" ] && command -v nats-server >/dev/null ;;
        exo) [ -x "$BENCH/bench-exo" ] && [ -f "$EXO_PLUGIN_PATH/transport_zmq.so" ] &&
             "$EXO_BIN" bus --help >/dev/null 2>&1 ;;
        busd) [ -x "$BENCH/bench-exo" ] && [ -f "$EXO_PLUGIN_PATH/transport_zmq.so" ] &&
              [ -x "$BUSD" ] ;;
        exonats) [ -x "$BENCH/bench-exo" ] && [ -f "$EXO_PLUGIN_PATH/transport_nats.so" ] &&
                 [ -x "$BUSD" ] && command -v nats-server >/dev/null ;;
        *) return 1 ;;
    esac
}
if [ -z "$TRANSPORTS" ]; then
    for t in exo busd nats zmq exonats; do
        if available $t; then TRANSPORTS="$TRANSPORTS $t"; else
            echo "run-bus-bench: skipping $t: its peer is not built or its server is missing" >&2
        fi
    done
fi
for t in $TRANSPORTS; do
    available "$t" || die "transport '$t' is not available (exo, busd: run make; nats:" \
        "install nats-server and libnats-dev, then configure and make)"
done
[ -n "$TRANSPORTS" ] || die "nothing to measure"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/exo-bus-bench.XXXXXX")
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
    done
    wait 2>/dev/null
    if [ "$KEEP" = 1 ]; then echo "run-bus-bench: kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# spawn, wait_line, finish, stop, rss_kb, cpu_ns
. "$HERE/lib.sh"
# The private part of RSS (heap, stacks): VmRSS also counts shared library pages.
anon_kb() { awk '/^RssAnon:/ {print $2}' "/proc/$1/status" 2>/dev/null; }

# ---- brokers ---------------------------------------------------------------------------------
# The running broker of each transport: pid and the endpoint its peers connect to.
declare -A PID_OF EP_OF TOKEN_OF
RUN_ID=0

start_broker() {
    RUN_ID=$((RUN_ID + 1))
    local name=broker-$1-$RUN_ID line
    case $1 in
        zmq) PID_OF[zmq]= EP_OF[zmq]= ; return 0 ;;
        nats)
            spawn "$name" nats-server -a 127.0.0.1 -p -1
            PID_OF[nats]=$SPAWNED
            line=$(wait_line "$TMP/$name.err" 'Listening for client connections on' 10) ||
                die "nats-server did not start: $(tail -3 "$TMP/$name.err")"
            EP_OF[nats]=nats://${line##*connections on }
            ;;
        exo|busd)
            if [ "$1" = exo ]; then
                spawn "$name" "$EXO_BIN" bus --app "$TMP/app" --listen tcp://127.0.0.1:0
            else
                spawn "$name" "$BUSD" serve "$TMP/routes.json" tcp://127.0.0.1:0
            fi
            PID_OF[$1]=$SPAWNED
            line=$(wait_line "$TMP/$name.out" 'tcp://127\.0\.0\.1:[0-9]+' 10) ||
                line=$(wait_line "$TMP/$name.err" 'tcp://127\.0\.0\.1:[0-9]+' 1) ||
                die "the exo broker did not start: $(tail -3 "$TMP/$name.err")"
            EP_OF[$1]=$(echo "$line" | grep -oE 'tcp://127\.0\.0\.1:[0-9]+' | head -1)
            # The peers register with the run's user token (a build without bus
            # authentication, as --builddir may name, has none and ignores it).
            if [ "$1" = exo ]; then
                TOKEN_OF[$1]=$(sed -n 's/.*"token": *"\([0-9a-f]*\)".*/\1/p' \
                    "$TMP/app/.exo/bus.json" 2>/dev/null)
            else
                wait_line "$TMP/$name.out" '^control ' 10 >/dev/null
                TOKEN_OF[$1]=$(awk '/^token /{print $2}' "$TMP/$name.out")
            fi
            ;;
        exonats)
            # busd starts nats-server with exo's generated users and permissions and prints
            # every role's variables (env ROLE NAME=VALUE); each peer takes its role's.
            local roles=()
            read -r -a roles <<<"$(python3 -c 'import json, sys
print(" ".join("--env " + r for r in json.load(open(sys.argv[1]))["roles"]))' "$TMP/routes.json")"
            EXO_BUS_TRANSPORT=nats EXO_NATS_STATE_DIR=$TMP/nats-$RUN_ID \
                spawn "$name" "$BUSD" serve "${roles[@]}" "$TMP/routes.json"
            PID_OF[exonats]=$SPAWNED
            wait_line "$TMP/$name.out" '^control ' 20 >/dev/null ||
                die "busd on nats did not start: $(tail -3 "$TMP/$name.err")"
            EP_OF[exonats]=$(awk '/^endpoint /{print $2}' "$TMP/$name.out")
            NATS_ENV=$TMP/$name.out
            ;;
    esac
}

stop_broker() { [ -n "${PID_OF[$1]:-}" ] && stop "${PID_OF[$1]}"; PID_OF[$1]=; return 0; }

# The exo app the broker routes for: one role per benchmark participant. Roles that share a
# location share a service.yml, hence their contracts.
make_exo_app() {
    local app=$TMP/app k
    mkdir -p "$app"
    svc() { # DIR SENDS RECEIVES
        mkdir -p "$app/$1"
        cat >"$app/$1/service.yml" <<EOF
type: worker
description: exo bus benchmark peer
startup:
  command: "true"
messages:
  sends: [$2]
  receives: [$3]
EOF
    }
    svc sender "bench.msg, fan1.msg, fan4.msg, fan16.msg" ""
    svc receiver "" "bench.msg"
    svc client "bench.req" "bench.rep"
    svc echo "bench.rep" "bench.req"
    svc fan1 "" "fan1.msg"
    svc fan4 "" "fan4.msg"
    svc fan16 "" "fan16.msg"
    svc idle "" "idle.ping"
    for i in $(seq "$MAX_PAIRS"); do
        svc "psend-$i" "pair-$i.msg" ""
        svc "precv-$i" "" "pair-$i.msg"
    done
    {
        echo "name: bus-bench"
        echo "services:"
        for r in sender receiver client echo; do
            printf '  %s:\n    location: ./%s\n' "$r" "$r"
        done
        for k in 1 4 16; do
            for i in $(seq "$k"); do
                printf '  fan%s-%s:\n    location: ./fan%s\n' "$k" "$i" "$k"
            done
        done
        for i in $(seq "$IDLE_SERVICES"); do
            printf '  idle-%s:\n    location: ./idle\n' "$i"
        done
        for i in $(seq "$MAX_PAIRS"); do
            printf '  psend-%s:\n    location: ./psend-%s\n' "$i" "$i"
            printf '  precv-%s:\n    location: ./precv-%s\n' "$i" "$i"
        done
    } >"$app/application.yml"
    # The same routing table as JSON, for busd (exo/transport.h's format).
    {
        rt() { printf '%s"%s": {"sends": [%s], "receives": [%s]}' "$sep" "$1" "$2" "$3"; sep=", "; }
        local sep=""
        printf '{"roles": {'
        rt sender '"bench.msg", "fan1.msg", "fan4.msg", "fan16.msg"' ''
        rt receiver '' '"bench.msg"'
        rt client '"bench.req"' '"bench.rep"'
        rt echo '"bench.rep"' '"bench.req"'
        for k in 1 4 16; do
            for i in $(seq "$k"); do rt "fan$k-$i" '' "\"fan$k.msg\""; done
        done
        for i in $(seq "$IDLE_SERVICES"); do rt "idle-$i" '' '"idle.ping"'; done
        for i in $(seq "$MAX_PAIRS"); do
            rt "psend-$i" "\"pair-$i.msg\"" ''
            rt "precv-$i" '' "\"pair-$i.msg\""
        done
        printf '}}\n'
    } >"$TMP/routes.json"
}

# peer T NAME MODE ARGS...: start the bench peer of transport T.
peer() {
    local t=$1 name=$2 mode=$3; shift 3
    local ep=()
    [ -n "${EP_OF[$t]:-}" ] && ep=(--endpoint "${EP_OF[$t]}")
    local bin=$t
    [ "$t" = busd ] && bin=exo
    if [ "$t" = exonats ]; then
        # The role's own secret and contract, as exo gives a unit (busd serve --env).
        local role="" a prev=""
        for a in "$@"; do [ "$prev" = --role ] && role=$a; prev=$a; done
        EXO_BUS_TOKEN=$(sed -n "s/^env $role EXO_BUS_TOKEN=//p" "$NATS_ENV") \
            EXO_BUS_CONTRACT=$(sed -n "s/^env $role EXO_BUS_CONTRACT=//p" "$NATS_ENV") \
            spawn "$name" "$BENCH/bench-exo" "$mode" "${ep[@]}" --deadline-ms "$DEADLINE_MS" "$@"
        return
    fi
    # Each broker has its own token: exo's and busd's run side by side.
    export EXO_BUS_TOKEN=${TOKEN_OF[$t]:-}
    spawn "$name" "$BENCH/bench-$bin" "$mode" "${ep[@]}" --deadline-ms "$DEADLINE_MS" "$@"
}

record() { echo "$1	$2	$3	$4" >>"$TMP/results"; }  # transport metric rep value

# recv_rate FILES...: deliveries/s over all receivers, and the delivered count.
recv_rate() {
    cat "$@" | awk '/^result recv/ {
        for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        if (v["count"] > 0) {
            n += v["count"]; ro += v["reordered"]
            if (first == "" || v["first_ns"] < first) first = v["first_ns"]
            if (v["last_ns"] > last) last = v["last_ns"]
        }
    } END {
        if (n > 1 && last > first) printf "%.0f %d %d\n", n / ((last - first) / 1e9), n, ro
        else printf "0 %d %d\n", n, ro
    }'
}

# ---- workloads -------------------------------------------------------------------------------
# throughput T METRIC SIZE COUNT WARMUP REP
throughput() {
    local t=$1 metric=$2 size=$3 n=$4 w=$5 rep=$6 r s line out rate got reordered c0= c1=
    r=$metric-$t-$rep-recv s=$metric-$t-$rep-send
    local common=(--size "$size" --count "$n" --warmup "$w")
    case $t in
        zmq)
            spawn "$r" "$BENCH/bench-zmq" recv --deadline-ms "$DEADLINE_MS" "${common[@]}"
            local rp=$SPAWNED
            line=$(wait_line "$TMP/$r.out" '^ready' 10) || die "zmq receiver did not start"
            spawn "$s" "$BENCH/bench-zmq" send --endpoint "${line#ready endpoint=}" \
                --deadline-ms "$DEADLINE_MS" "${common[@]}"
            ;;
        nats|exo|busd|exonats)
            peer "$t" "$r" recv --subject bench.msg --role receiver "${common[@]}"
            local rp=$SPAWNED
            wait_line "$TMP/$r.out" '^ready' 10 >/dev/null || die "$t receiver did not start"
            [ "$t" = exonats ] || c0=$(cpu_ns "${PID_OF[$t]}")
            peer "$t" "$s" send --subject bench.msg --role sender "${common[@]}"
            ;;
    esac
    local sp=$SPAWNED
    # Receivers decide when a run is over; a sender may be waiting to be told (bench-exo).
    finish "$rp" $((DEADLINE_MS / 1000 + 5))
    [ -n "$c0" ] && c1=$(cpu_ns "${PID_OF[$t]}")
    stop "$sp"
    read -r rate got reordered <<<"$(recv_rate "$TMP/$r.out")"
    record "$t" "$metric.reordered" "$rep" "${reordered:-0}"
    # The broker's CPU per message handled (warm-up included: it handled those too).
    [ -n "$c0" ] && record "$t" "cpu.$metric" "$rep" $(((c1 - c0) / (n + w)))
    record "$t" "$metric" "$rep" "$rate"
    record "$t" "$metric.delivered" "$rep" \
        "$(awk -v g="$got" -v n="$n" 'BEGIN{printf "%.4f", g/n}')"
}

# fanout T K REP
fanout() {
    local t=$1 k=$2 rep=$3 i s=fan$2-$1-$3-send line files=() rps=() sp
    local common=(--size 100 --count "$NFAN" --warmup "$WFAN")
    case $t in
        zmq)
            spawn "$s" "$BENCH/bench-zmq" send --conns "$k" --deadline-ms "$DEADLINE_MS" \
                "${common[@]}"
            sp=$SPAWNED
            line=$(wait_line "$TMP/$s.out" '^ready' 10) || die "zmq fan-out sender did not start"
            for i in $(seq "$k"); do
                spawn "fan$k-$t-$rep-r$i" "$BENCH/bench-zmq" recv \
                    --endpoint "${line#ready endpoint=}" --deadline-ms "$DEADLINE_MS" \
                    "${common[@]}"
                rps+=("$SPAWNED")
                files+=("$TMP/fan$k-$t-$rep-r$i.out")
            done
            ;;
        nats|exo|busd|exonats)
            for i in $(seq "$k"); do
                peer "$t" "fan$k-$t-$rep-r$i" recv --subject "fan$k.msg" --role "fan$k-$i" \
                    "${common[@]}"
                rps+=("$SPAWNED")
                files+=("$TMP/fan$k-$t-$rep-r$i.out")
            done
            for f in "${files[@]}"; do
                wait_line "$f" '^ready' 20 >/dev/null || die "$t fan-out receiver did not start"
            done
            peer "$t" "$s" send --subject "fan$k.msg" --role sender "${common[@]}"
            sp=$SPAWNED
            ;;
    esac
    for i in "${rps[@]}"; do finish "$i" $((DEADLINE_MS / 1000 + 5)); done
    stop "$sp"
    local rate got reordered
    read -r rate got reordered <<<"$(recv_rate "${files[@]}")"
    record "$t" "fan$k.reordered" "$rep" "${reordered:-0}"
    record "$t" "fan$k" "$rep" "$rate"
    record "$t" "fan$k.delivered" "$rep" \
        "$(awk -v g="$got" -v n="$((NFAN * k))" 'BEGIN{printf "%.4f", g/n}')"
}

# pairs T K REP: K independent sender -> receiver pairs at once, N100 messages over all.
pairs() {
    local t=$1 k=$2 rep=$3 i files=() rps=() sps=() line c0= c1=
    local n=$((N100 / k)) w=$((W100 / k))
    local common=(--size 100 --count "$n" --warmup "$w")
    for i in $(seq "$k"); do
        local r=pairs$k-$t-$rep-r$i
        case $t in
            zmq) spawn "$r" "$BENCH/bench-zmq" recv --deadline-ms "$DEADLINE_MS" "${common[@]}" ;;
            *) peer "$t" "$r" recv --subject "pair-$i.msg" --role "precv-$i" "${common[@]}" ;;
        esac
        rps+=("$SPAWNED")
        files+=("$TMP/$r.out")
    done
    for f in "${files[@]}"; do
        wait_line "$f" '^ready' 20 >/dev/null || die "$t pair receiver did not start"
    done
    [ -n "${PID_OF[$t]:-}" ] && c0=$(cpu_ns "${PID_OF[$t]}")
    for i in $(seq "$k"); do
        local s=pairs$k-$t-$rep-s$i
        case $t in
            zmq) line=$(grep -m1 '^ready' "${files[$((i - 1))]}")
                 spawn "$s" "$BENCH/bench-zmq" send --endpoint "${line#ready endpoint=}" \
                     --deadline-ms "$DEADLINE_MS" "${common[@]}" ;;
            *) peer "$t" "$s" send --subject "pair-$i.msg" --role "psend-$i" "${common[@]}" ;;
        esac
        sps+=("$SPAWNED")
    done
    for i in "${rps[@]}"; do finish "$i" $((DEADLINE_MS / 1000 + 5)); done
    [ -n "$c0" ] && c1=$(cpu_ns "${PID_OF[$t]}")
    for i in "${sps[@]}"; do stop "$i"; done
    local rate got reordered
    read -r rate got reordered <<<"$(recv_rate "${files[@]}")"
    record "$t" "pairs$k.reordered" "$rep" "${reordered:-0}"
    [ -n "$c0" ] && record "$t" "cpu.pairs$k" "$rep" $(((c1 - c0) / ((n + w) * k)))
    record "$t" "pairs$k" "$rep" "$rate"
    record "$t" "pairs$k.delivered" "$rep" \
        "$(awk -v g="$got" -v n="$((n * k))" 'BEGIN{printf "%.4f", g/n}')"
}

# reqrep T REP
reqrep() {
    local t=$1 rep=$2 e=rr-$1-$2-echo q=rr-$1-$2-req line ep
    local common=(--size 100 --count "$NRR" --warmup "$WRR")
    case $t in
        zmq)
            spawn "$e" "$BENCH/bench-zmq" echo --deadline-ms "$DEADLINE_MS"
            line=$(wait_line "$TMP/$e.out" '^ready' 10) || die "zmq echo did not start"
            local epid=$SPAWNED
            spawn "$q" "$BENCH/bench-zmq" req --endpoint "${line#ready endpoint=}" \
                --deadline-ms "$DEADLINE_MS" "${common[@]}"
            ;;
        nats|exo|busd|exonats)
            peer "$t" "$e" echo --subject bench.req --role echo
            local epid=$SPAWNED
            wait_line "$TMP/$e.out" '^ready' 10 >/dev/null || die "$t echo did not start"
            peer "$t" "$q" req --subject bench.req --role client "${common[@]}"
            ;;
    esac
    finish "$SPAWNED" $((DEADLINE_MS / 1000 + 5))
    stop "$epid"
    line=$(grep -m1 '^result req' "$TMP/$q.out") ||
        { echo "run-bus-bench: $t req/rep gave no result" >&2; return; }
    local p50 p99 p999 failed
    p50=$(echo "$line" | grep -oE 'p50_ns=[0-9]+' | cut -d= -f2)
    p99=$(echo "$line" | grep -oE 'p99_ns=[0-9]+' | cut -d= -f2)
    p999=$(echo "$line" | grep -oE 'p999_ns=[0-9]+' | cut -d= -f2)
    failed=$(echo "$line" | grep -oE 'failed=[0-9]+' | cut -d= -f2)
    record "$t" rr_p50 "$rep" "$p50"
    record "$t" rr_p99 "$rep" "$p99"
    [ -n "$p999" ] && record "$t" rr_p999 "$rep" "$p999"
    record "$t" rr.failed "$rep" "$failed"
}

# rss T REP: fresh broker, idle, then with IDLE_SERVICES connected services.
rss() {
    local t=$1 rep=$2 i=rss-$1-$2-idle
    [ "$t" = zmq ] || [ "$t" = exonats ] && return 0
    start_broker "$t"
    sleep 1
    record "$t" rss_idle "$rep" "$(rss_kb "${PID_OF[$t]}")"
    record "$t" anon_idle "$rep" "$(anon_kb "${PID_OF[$t]}")"
    peer "$t" "$i" idle --subject idle --role idle --conns "$IDLE_SERVICES"
    local ipid=$SPAWNED
    wait_line "$TMP/$i.out" '^ready' 30 >/dev/null ||
        die "$t idle services did not connect: $(tail -3 "$TMP/$i.err")"
    sleep 1
    record "$t" rss_100 "$rep" "$(rss_kb "${PID_OF[$t]}")"
    record "$t" anon_100 "$rep" "$(anon_kb "${PID_OF[$t]}")"
    stop "$ipid"
    stop_broker "$t"
}

# ---- run -------------------------------------------------------------------------------------
pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"; }
machine() {
    echo "machine:  $(nproc) CPUs," \
        "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "kernel:   $(uname -sr)"
    echo "versions: exo $("$EXO_BIN" --version 2>/dev/null | head -1 | awk '{print $NF}')," \
         "libzmq5 $(pkgver libzmq5)," \
         "nats-server $(pkgver nats-server), libnats $(pkgver libnats-dev)"
    echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, at start)"
    echo "counts:   tp100 ${N100}+${W100} warm-up, tp1k ${N1K}+${W1K}, rr ${NRR}+${WRR}," \
         "fan ${NFAN}+${WFAN} per receiver; ${REPS} repetitions, median reported"
}

make_exo_app
machine
: >"$TMP/results"
read -r -a TLIST <<<"$TRANSPORTS"
for rep in $(seq "$REPS"); do
    echo "repetition $rep/$REPS ..." >&2
    # Every workload runs for each transport back to back, in an order that rotates with the
    # repetition, so slow phases of a shared machine hit every column alike.
    order=()
    for i in "${!TLIST[@]}"; do order+=("${TLIST[$(((i + rep - 1) % ${#TLIST[@]}))]}"); done
    if wants rss; then for t in "${order[@]}"; do rss "$t" "$rep"; done; fi
    for t in "${order[@]}"; do start_broker "$t"; done
    if wants tp100; then
        for t in "${order[@]}"; do throughput "$t" tp100 100 "$N100" "$W100" "$rep"; done
    fi
    if wants tp1k; then
        for t in "${order[@]}"; do throughput "$t" tp1k 1024 "$N1K" "$W1K" "$rep"; done
    fi
    if wants rr; then for t in "${order[@]}"; do reqrep "$t" "$rep"; done; fi
    for k in 1 4 16; do
        wants fan || break
        for t in "${order[@]}"; do fanout "$t" "$k" "$rep"; done
    done
    for k in 1 4 16; do
        wants pairs || break
        for t in "${order[@]}"; do pairs "$t" "$k" "$rep"; done
    done
    for t in "${order[@]}"; do stop_broker "$t"; done
done

# median T METRIC: lower median of the repetitions ("" when there is none).
median() {
    awk -F'\t' -v t="$1" -v m="$2" '$1 == t && $2 == m && $4 != "" {print $4}' "$TMP/results" |
        sort -g | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]}'
}
fmt() { # VALUE UNIT
    [ -n "$1" ] || { echo "-"; return; }
    case $2 in
        rate) awk -v v="$1" 'BEGIN{printf "%.0f", v / 1000}' ;;
        us) awk -v v="$1" 'BEGIN{printf "%.1f", v / 1000}' ;;
        ns) awk -v v="$1" 'BEGIN{printf "%.0f", v}' ;;
        mb) awk -v v="$1" 'BEGIN{printf "%.1f", v / 1024}' ;;
    esac
}
ratio() { # A B
    [ -n "$1" ] && [ -n "$2" ] || { echo "-"; return; }
    awk -v a="$1" -v b="$2" 'BEGIN{if (b > 0) printf "%.2fx", a/b; else print "-"}'
}
# The verdict for the ratio targets uses the paired ratios (see paired below): on a shared
# machine the medians of two columns can come from different repetitions.
verdict() { # TRANSPORT METRIC
    local e pn pz
    e=$(median "$1" "$2")
    [ -n "$e" ] || { echo "-"; return; }
    case $2 in
        tp100) pn=$(paired "$1" nats "$2"); pz=$(paired "$1" zmq "$2")
               case "$pn$pz" in *-*) echo "?"; return ;; esac
               awk -v n="${pn%x}" -v z="${pz%x}" \
                   'BEGIN{print (n >= 1.0 && z >= 0.7) ? "met" : "MISSED"}' ;;
        rr_p50|rr_p99) pn=$(paired "$1" nats "$2")
               [ "$pn" != "-" ] || { echo "?"; return; }
               awk -v n="${pn%x}" 'BEGIN{print (n <= 1.0) ? "met" : "MISSED"}' ;;
        rss_idle) awk -v e="$e" 'BEGIN{print (e <= 5 * 1024) ? "met" : "MISSED"}' ;;
        rss_100) awk -v e="$e" 'BEGIN{print (e <= 20 * 1024) ? "met" : "MISSED"}' ;;
        *) echo "" ;;
    esac
}

# paired T REF METRIC: median over repetitions of T's value / REF's value in the same
# repetition. Both ran back to back, so this cancels much of a shared machine's slow phases.
paired() {
    awk -F'\t' -v t="$1" -v ref="$2" -v m="$3" '$2 == m && $3 != "median" && $4 != "" {
        v[$1 SUBSEP $3] = $4; reps[$3] = 1 }
        END { for (r in reps) if (v[ref, r] > 0 && ((t, r) in v)) print v[t, r] / v[ref, r] }' \
        "$TMP/results" | sort -g |
        awk '{v[NR] = $1} END {if (NR) printf "%.2fx", v[int((NR + 1) / 2)]; else print "-"}'
}

LINEFMT='%-27s %8s %8s %8s %8s  %7s %7s %7s %7s  %-6s %-6s\n'
row() { # METRIC LABEL UNIT
    local e b n z
    e=$(median exo "$1"); b=$(median busd "$1"); n=$(median nats "$1"); z=$(median zmq "$1")
    # shellcheck disable=SC2059
    printf "$LINEFMT" "$2" "$(fmt "$e" "$3")" "$(fmt "$b" "$3")" "$(fmt "$n" "$3")" \
        "$(fmt "$z" "$3")" "$(ratio "$e" "$n")" "$(ratio "$e" "$z")" "$(ratio "$b" "$n")" \
        "$(ratio "$b" "$z")" "$(verdict exo "$1")" "$(verdict busd "$1")"
}

echo
# shellcheck disable=SC2059
printf "$LINEFMT" "" "exo bus" busd nats zmq "exo/" "exo/" "busd/" "busd/" "target" "target"
# shellcheck disable=SC2059
printf "$LINEFMT" measurement "" "" server direct nats zmq nats zmq "exo" "busd"
row tp100 "throughput 100 B (k msg/s)" rate
row tp1k "throughput 1 KiB (k msg/s)" rate
row rr_p50 "req/rep p50 (us)" us
row rr_p99 "req/rep p99 (us)" us
row rr_p999 "req/rep p99.9 (us)" us
row fan1 "fan-out 1 (k deliveries/s)" rate
row fan4 "fan-out 4 (k deliveries/s)" rate
row fan16 "fan-out 16 (k deliveries/s)" rate
row pairs1 "1 pair (k msg/s)" rate
row pairs4 "4 pairs, total (k msg/s)" rate
row pairs16 "16 pairs, total (k msg/s)" rate
row cpu.tp100 "broker CPU/msg 100 B (ns)" ns
row cpu.tp1k "broker CPU/msg 1 KiB (ns)" ns
row cpu.pairs16 "broker CPU/msg 16 pairs(ns)" ns
row rss_idle "broker RSS idle (MB)" mb
row rss_100 "broker RSS 100 svcs (MB)" mb
row anon_idle "  of which RssAnon idle" mb
row anon_100 "  of which RssAnon 100" mb

echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, at the end)"
if [[ " $TRANSPORTS " == *" exonats "* ]]; then
    echo
    echo "exo over NATS (the nats transport: nats-server with exo's permissions, the SDK's"
    echo "contract, translations and sticky subjects) against raw NATS in the same run:"
    for m in "tp100 throughput 100 B (k msg/s) rate" "tp1k throughput 1 KiB (k msg/s) rate" \
             "rr_p50 req/rep p50 (us) us" "rr_p99 req/rep p99 (us) us" \
             "fan1 fan-out 1 (k deliveries/s) rate" "fan4 fan-out 4 (k deliveries/s) rate" \
             "fan16 fan-out 16 (k deliveries/s) rate"; do
        read -r key label <<<"$m"; unit=${label##* }; label=${label% *}
        pr=$(paired exonats nats "$key")
        target=""
        case $key in
            tp100) target=$(awk -v p="${pr%x}" 'BEGIN{if (p == "-" || p == "") print "?";
                           else print (p >= 0.9) ? "met (>= 0.9x)" : "MISSED (>= 0.9x)"}') ;;
            rr_p50) target=$(awk -v p="${pr%x}" 'BEGIN{if (p == "-" || p == "") print "?";
                            else print (p <= 1.2) ? "met (<= 1.2x)" : "MISSED (<= 1.2x)"}') ;;
        esac
        printf '  %-28s exo/nats %8s  nats %8s  paired %6s  %s\n' "$label" \
            "$(fmt "$(median exonats "$key")" "$unit")" "$(fmt "$(median nats "$key")" "$unit")" \
            "$pr" "$target"
    done
fi

echo
echo "paired ratios (median over repetitions of the ratio within each repetition):"
for m in tp100 rr_p50 rr_p99 rr_p999 pairs1 pairs16 cpu.tp100 cpu.pairs16; do
    line="  $m:"
    for t in exo busd; do
        for ref in nats zmq; do
            case " $TRANSPORTS " in *" $t "*) ;; *) continue ;; esac
            case " $TRANSPORTS " in *" $ref "*) ;; *) continue ;; esac
            line="$line  $t/$ref $(paired "$t" "$ref" "$m")"
        done
    done
    echo "$line"
done

echo
echo "targets (issue 3): throughput 100 B >= 1.0x nats and >= 0.7x zmq direct; req/rep p50 and"
echo "p99 <= nats; broker RSS <= 5 MB idle, <= 20 MB with 100 connected services. The ratio"
echo "targets are judged on the paired ratios, the RSS targets on the medians."

# Losses and failures are part of the result: say so when anything went missing.
notes=$(awk -F'\t' '($2 ~ /delivered$/ && $4 < 1) || ($2 == "rr.failed" && $4 > 0) ||
                     ($2 ~ /reordered$/ && $4 > 0) {
    printf "  %s %s rep %s: %s\n", $1, $2, $3, $4 }' "$TMP/results")
if [ -n "$notes" ]; then
    echo
    echo "incomplete runs (delivered fraction < 1, failed requests, messages out of order):"
    echo "$notes"
fi

if [ -n "$OUT" ]; then
    {
        printf 'transport\tmetric\trep\tvalue\n'
        cat "$TMP/results"
        for t in $TRANSPORTS; do
            for m in tp100 tp1k rr_p50 rr_p99 rr_p999 fan1 fan4 fan16 pairs1 pairs4 pairs16 \
                     cpu.tp100 cpu.tp1k cpu.pairs16 rss_idle rss_100 anon_idle anon_100; do
                printf '%s\t%s\tmedian\t%s\n' "$t" "$m" "$(median "$t" "$m")"
            done
        done
    } >"$OUT"
fi
