#!/usr/bin/env bash
# bench/run-ws-bench.sh - the WebSocket benchmark (issue 12): a browser-style round trip
# client -> websocket frontend -> bus -> service -> bus -> frontend -> client, measured in one
# run beside a plain libwebsockets echo server (the ceiling: no bus, no service) and
# nats-server's WebSocket listener with a NATS echo service (the same topology as exo's).
#
# Usage: bench/run-ws-bench.sh [--reps N] [--quick] [--servers "exo echo nats"]
#                              [--builddir DIR] [--out FILE] [--keep]
#   --reps N      repetitions; medians are reported (default 5)
#   --quick       a tenth of the counts (a smoke run)
#   --servers     which columns (default: every one available)
#                   exo   `exo run` of a generated app: frontends.web (type websocket, rate
#                         1000000) and a bench-exo echo service (libexoservice) answering
#                         bench.req with bench.rep; the client speaks exo.v1
#                   echo  bench-ws-echo, a libwebsockets echo server with lws's own loop
#                   nats  nats-server -c (websocket { no_tls: true }) and a bench-nats echo peer
#                         (libnats); the client speaks the NATS protocol over WebSocket
#   --out FILE    also write every sample (TSV)
#   --keep        keep the work directory
#
# The client is the same program for every column (bench/bench-ws, our own RFC 6455 client,
# one blocking thread), with 100-byte payloads:
#   rr     5000 sequential round trips after 500 warm-up: p50, p99 (nearest rank)
#   tput   50000 round trips after 5000 warm-up with 64 in flight: messages/s (replies per
#          second, from the first measured request sent to the last reply)
#   rss    VmRSS of the server process (exo: the `exo frontend web` process) fresh, and with
#          1,000 idle connections (each welcomed, for exo) held by one client process
# The column "(exo bus)" is the same round trip from a libexoservice client straight on the
# run's bus (no frontend, no WebSocket): what the frontend adds is the difference.
# Everything listens on 127.0.0.1 and is stopped on exit.
set -u

REPS=5
QUICK=0
KEEP=0
OUT=""
SERVERS=""
HERE=$(cd "$(dirname "$0")" && pwd)
BUILDDIR=${EXO_TOP_BUILDDIR:-$HERE/..}

die() { echo "run-ws-bench: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case $1 in
        --reps) [ $# -ge 2 ] || die "--reps needs a number"; REPS=$2; shift 2 ;;
        --quick) QUICK=1; shift ;;
        --servers) [ $# -ge 2 ] || die "--servers needs a list"; SERVERS=$2; shift 2 ;;
        --builddir) [ $# -ge 2 ] || die "--builddir needs a directory"; BUILDDIR=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || die "--out needs a file"; OUT=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
case $REPS in ''|*[!0-9]*|0) die "--reps wants a positive integer, got '$REPS'" ;; esac
BUILDDIR=$(cd "$BUILDDIR" 2>/dev/null && pwd) || die "no build directory $BUILDDIR"
BENCH=$BUILDDIR/bench
EXO_BIN=${EXO_BIN:-$BUILDDIR/exo}
export EXO_PLUGIN_PATH=${EXO_PLUGIN_PATH:-$BUILDDIR/plugins/.libs}
export EXO_NO_INSTALLED_PLUGINS=1

NRR=5000 WRR=500 NTP=50000 WTP=5000 IDLE=1000 WINDOW=64
[ "$QUICK" = 1 ] && { NRR=500 WRR=50 NTP=5000 WTP=500; }
DEADLINE_MS=120000

[ -x "$BENCH/bench-ws" ] || die "bench/bench-ws is not built (run make)"
available() {
    case $1 in
        exo) [ -f "$EXO_PLUGIN_PATH/frontend_websocket.so" ] && [ -x "$BENCH/bench-exo" ] ;;
        echo) [ -x "$BENCH/bench-ws-echo" ] ;;
        nats) command -v nats-server >/dev/null && [ -x "$BENCH/bench-nats" ] ;;
        *) return 1 ;;
    esac
}
if [ -z "$SERVERS" ]; then
    for s in exo echo nats; do
        if available $s; then SERVERS="$SERVERS $s"; else
            echo "run-ws-bench: skipping $s: not built or its server is missing" >&2
        fi
    done
fi
for s in $SERVERS; do available "$s" || die "server '$s' is not available"; done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/exo-ws-bench.XXXXXX")
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
    done
    wait 2>/dev/null
    if [ "$KEEP" = 1 ]; then echo "run-ws-bench: kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# spawn, wait_line, finish, stop, rss_kb, cpu_ns
. "$HERE/lib.sh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# The descendants of PID named by REGEX in their command line.
descendant() {
    local pid=$1 re=$2 kids k
    kids=$(ps -o pid= --ppid "$pid" 2>/dev/null)
    for k in $kids; do
        tr '\0' ' ' <"/proc/$k/cmdline" 2>/dev/null | grep -qE "$re" && { echo "$k"; return 0; }
        descendant "$k" "$re" && return 0
    done
    return 1
}

# ---- servers: start_server S sets URL_OF[S] and PID_OF[S] (the process whose RSS counts) --
declare -A URL_OF PID_OF KEEP_OF
make_exo_app() {
    local app=$TMP/app
    mkdir -p "$app/echo" "$app/client"
    cat >"$app/application.yml" <<EOF
name: ws-bench
services:
  echo:
    location: ./echo
  client:
    location: ./client
    ready: started
frontends:
  web:
    type: websocket
    sends: [bench.req]
    receives: [bench.rep]
    rate: 1000000
    max-connections: 2000
    depends-on: [echo]
EOF
    cat >"$app/echo/service.yml" <<EOF
type: worker
startup:
  command: exec $BENCH/bench-exo echo --endpoint "\$EXO_BUS_ENDPOINT" --subject bench.req --role echo --deadline-ms 3600000
  online-text: ready
messages:
  receives: [bench.req]
  sends: [bench.rep]
EOF
    # The "bus only" reference: bench-exo req as this role, the frontend left out.
    cat >"$app/client/service.yml" <<EOF
type: client
startup:
  command: exec sleep 3600
messages:
  sends: [bench.req]
  receives: [bench.rep]
EOF
}

start_server() {
    local s=$1 port line
    case $s in
        exo)
            spawn exo-run "$EXO_BIN" run --app "$TMP/app"
            KEEP_OF[exo]=$SPAWNED
            line=$(wait_line "$TMP/exo-run.out" 'web online at http://127\.0\.0\.1:[0-9]+' 60) ||
                line=$(wait_line "$TMP/exo-run.err" 'web online at http://127\.0\.0\.1:[0-9]+' 1) ||
                die "exo run did not start the frontend: $(tail -n 5 "$TMP/exo-run.out")"
            port=$(echo "$line" | grep -oE '127\.0\.0\.1:[0-9]+' | head -1 | cut -d: -f2)
            URL_OF[exo]=ws://127.0.0.1:$port/exo
            PID_OF[exo]=$(descendant "${KEEP_OF[exo]}" 'frontend web') ||
                die "no exo frontend process under exo run"
            BUS_EP=$(grep -m1 -oE 'bus listening on tcp://[0-9.:]+' "$TMP/exo-run.out" | awk '{print $NF}')
            BUS_TOKEN=$(sed -n 's/.*"token": *"\([0-9a-f]*\)".*/\1/p' "$TMP/app/.exo/bus.json")
            ;;
        echo)
            port=$(free_port)
            spawn echo "$BENCH/bench-ws-echo" --endpoint "ws://127.0.0.1:$port/" \
                --deadline-ms 3600000
            PID_OF[echo]=$SPAWNED KEEP_OF[echo]=$SPAWNED
            wait_line "$TMP/echo.out" '^ready' 10 >/dev/null || die "bench-ws-echo did not start"
            URL_OF[echo]=ws://127.0.0.1:$port/
            ;;
        nats)
            port=$(free_port)
            printf 'host: 127.0.0.1\nport: -1\nwebsocket {\n  host: 127.0.0.1\n  port: %s\n  no_tls: true\n}\n' \
                "$port" >"$TMP/nats.conf"
            spawn nats nats-server -c "$TMP/nats.conf"
            PID_OF[nats]=$SPAWNED KEEP_OF[nats]=$SPAWNED
            line=$(wait_line "$TMP/nats.err" 'Listening for client connections on' 10) ||
                die "nats-server did not start: $(tail -3 "$TMP/nats.err")"
            spawn nats-echo "$BENCH/bench-nats" echo --endpoint "nats://${line##*connections on }" \
                --subject bench.req --deadline-ms 3600000
            NATS_ECHO=$SPAWNED
            wait_line "$TMP/nats-echo.out" '^ready' 10 >/dev/null || die "bench-nats echo did not start"
            URL_OF[nats]=ws://127.0.0.1:$port/
            ;;
    esac
}

: >"$TMP/results"
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$TMP/results"; }
field() { echo "$1" | grep -oE "$2=[0-9]+" | cut -d= -f2; }

# client S REP NAME ARGS...: bench-ws against S; its output in $TMP/NAME.out
client() {
    local s=$1 name=$2; shift 2
    "$BENCH/bench-ws" "$@" --wire "$s" --endpoint "${URL_OF[$s]}" --subject bench.req \
        --size 100 --deadline-ms "$DEADLINE_MS" >"$TMP/$name.out" 2>"$TMP/$name.err"
}

# rr_bus REP: the same round trip from a libexoservice client on the bus (no frontend).
rr_bus() {
    local rep=$1 line
    EXO_BUS_TOKEN=$BUS_TOKEN "$BENCH/bench-exo" req --endpoint "$BUS_EP" --subject bench.req \
        --role client --size 100 --count "$NRR" --warmup "$WRR" --deadline-ms "$DEADLINE_MS" \
        >"$TMP/rr-bus-$rep.out" 2>"$TMP/rr-bus-$rep.err" ||
        { echo "run-ws-bench: bus rr failed: $(tail -n 2 "$TMP/rr-bus-$rep.err")" >&2; return; }
    line=$(grep '^result req' "$TMP/rr-bus-$rep.out")
    record bus rr_p50 "$rep" "$(field "$line" p50_ns)"
    record bus rr_p99 "$rep" "$(field "$line" p99_ns)"
}

rr() {
    local s=$1 rep=$2 line
    [ "$s" = exo ] && rr_bus "$rep"
    client "$s" "rr-$s-$rep" req --count "$NRR" --warmup "$WRR" ||
        { echo "run-ws-bench: $s rr failed: $(tail -2 "$TMP/rr-$s-$rep.err")" >&2; return; }
    line=$(grep '^result req' "$TMP/rr-$s-$rep.out")
    record "$s" rr_p50 "$rep" "$(field "$line" p50_ns)"
    record "$s" rr_p99 "$rep" "$(field "$line" p99_ns)"
    record "$s" rr.failed "$rep" "$(field "$line" failed)"
}

tput() {
    local s=$1 rep=$2 line
    client "$s" "tp-$s-$rep" req --count "$NTP" --warmup "$WTP" --window "$WINDOW" ||
        { echo "run-ws-bench: $s tput failed: $(tail -2 "$TMP/tp-$s-$rep.err")" >&2; return; }
    line=$(grep '^result rate' "$TMP/tp-$s-$rep.out")
    record "$s" tput "$rep" "$(awk -v n="$(field "$line" count)" -v t="$(field "$line" ns)" \
        'BEGIN{printf "%.0f", n / (t / 1e9)}')"
    record "$s" tput.failed "$rep" "$(field "$(grep '^result req' "$TMP/tp-$s-$rep.out")" failed)"
}

# rss S REP: a fresh server, idle, then with IDLE connections held by one client.
rss() {
    local s=$1 rep=$2 c
    start_server "$s"
    sleep 1
    record "$s" rss_idle "$rep" "$(rss_kb "${PID_OF[$s]}")"
    "$BENCH/bench-ws" idle --wire "$s" --endpoint "${URL_OF[$s]}" --conns "$IDLE" \
        --deadline-ms "$DEADLINE_MS" >"$TMP/idle-$s-$rep.out" 2>"$TMP/idle-$s-$rep.err" &
    c=$!
    PIDS+=("$c")
    if wait_line "$TMP/idle-$s-$rep.out" '^ready' 60 >/dev/null; then
        sleep 1
        record "$s" rss_1000 "$rep" "$(rss_kb "${PID_OF[$s]}")"
    else
        echo "run-ws-bench: $s: $IDLE idle connections failed: $(tail -2 "$TMP/idle-$s-$rep.err")" >&2
    fi
    stop "$c"
}

stop_server() { [ "$1" = nats ] && stop "$NATS_ECHO"; stop "${KEEP_OF[$1]}"; }

machine() {
    echo "machine:  $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "kernel:   $(uname -sr)"
    echo "versions: exo $("$EXO_BIN" --version 2>/dev/null | head -1 | awk '{print $NF}'), libwebsockets $(dpkg-query -W -f='${Version}' libwebsockets-dev 2>/dev/null), nats-server $(dpkg-query -W -f='${Version}' nats-server 2>/dev/null)"
    echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, at start)"
    echo "counts:   rr ${NRR}+${WRR} sequential, tput ${NTP}+${WTP} with ${WINDOW} in flight, ${IDLE} idle connections; 100-byte payloads; ${REPS} repetitions, median reported"
}

make_exo_app
machine
read -r -a SLIST <<<"$SERVERS"
for rep in $(seq "$REPS"); do
    echo "repetition $rep/$REPS ..." >&2
    order=()
    for i in "${!SLIST[@]}"; do order+=("${SLIST[$(((i + rep - 1) % ${#SLIST[@]}))]}"); done
    for s in "${order[@]}"; do
        rss "$s" "$rep"   # leaves the server running for the round trips
        rr "$s" "$rep"
        tput "$s" "$rep"
        stop_server "$s"
    done
done

median() {
    awk -F'\t' -v s="$1" -v m="$2" '$1 == s && $2 == m && $4 != "" {print $4}' "$TMP/results" |
        sort -g | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]}'
}
paired() { # S REF METRIC: median over repetitions of S / REF in the same repetition
    awk -F'\t' -v t="$1" -v ref="$2" -v m="$3" '$2 == m && $4 != "" { v[$1 SUBSEP $3] = $4; reps[$3] = 1 }
        END { for (r in reps) if (v[ref, r] > 0 && ((t, r) in v)) print v[t, r] / v[ref, r] }' \
        "$TMP/results" | sort -g |
        awk '{v[NR] = $1} END {if (NR) printf "%.2fx", v[int((NR + 1) / 2)]; else print "-"}'
}
fmt() {
    [ -n "$1" ] || { echo "-"; return; }
    case $2 in
        us) awk -v v="$1" 'BEGIN{printf "%.1f", v / 1000}' ;;
        k) awk -v v="$1" 'BEGIN{printf "%.1f", v / 1000}' ;;
        mb) awk -v v="$1" 'BEGIN{printf "%.1f", v / 1024}' ;;
    esac
}
LINEFMT='%-30s %10s %10s %10s %10s  %9s %9s\n'
row() {
    # shellcheck disable=SC2059
    printf "$LINEFMT" "$2" "$(fmt "$(median exo "$1")" "$3")" "$(fmt "$(median echo "$1")" "$3")" \
        "$(fmt "$(median nats "$1")" "$3")" "$(fmt "$(median bus "$1")" "$3")" \
        "$(paired exo echo "$1")" "$(paired exo nats "$1")"
}
echo
# shellcheck disable=SC2059
printf "$LINEFMT" "" "exo" "lws echo" "nats ws" "(exo bus)" "exo/echo" "exo/nats"
row rr_p50 "round trip p50 (us)" us
row rr_p99 "round trip p99 (us)" us
row tput "messages/s, 64 in flight (k)" k
row rss_idle "server RSS idle (MB)" mb
row rss_1000 "server RSS 1,000 conns (MB)" mb
echo
p50=$(paired exo echo rr_p50)
r1000=$(median exo rss_1000)
echo "targets (issue 12): round trip p50 within 1.5x of the echo ceiling (paired ratio: $p50):" \
    "$(awk -v r="${p50%x}" 'BEGIN{print (r != "-" && r <= 1.5) ? "met" : "MISSED"}');" \
    "frontend RSS with 1,000 idle connections under 20 MB ($(fmt "$r1000" mb) MB):" \
    "$(awk -v k="${r1000:-999999}" 'BEGIN{print (k < 20 * 1024) ? "met" : "MISSED"}')"
notes=$(awk -F'\t' '$2 ~ /failed$/ && $4 > 0 {printf "  %s %s rep %s: %s\n", $1, $2, $3, $4}' "$TMP/results")
[ -n "$notes" ] && { echo; echo "failed round trips:"; echo "$notes"; }
if [ -n "$OUT" ]; then { printf 'server\tmetric\trep\tvalue\n'; cat "$TMP/results"; } >"$OUT"; fi
