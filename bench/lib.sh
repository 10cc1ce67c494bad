# bench/lib.sh - what the benchmark drivers (run-bus-bench.sh, run-ws-bench.sh,
# run-dash-bench.sh) share: background processes with their output in files, waiting for a
# line, bounded waits and stops, CPU time and memory of a process. Source it after setting
# TMP (the work directory) and PIDS=() (every process spawned, for the driver's cleanup).

# spawn NAME CMD...: start CMD in the background, output in $TMP/NAME.{out,err}; pid in SPAWNED.
SPAWNED=
spawn() {
    local name=$1; shift
    "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
    SPAWNED=$!
    PIDS+=("$SPAWNED")
}

# wait_line FILE REGEX SECONDS: print the first line of FILE matching REGEX, or fail.
wait_line() {
    local i line
    for i in $(seq $(($3 * 20))); do
        line=$(grep -m1 -E "$2" "$1" 2>/dev/null) && { echo "$line"; return 0; }
        sleep 0.05
    done
    return 1
}

# stop PID: SIGTERM, then SIGKILL after 10 s.
stop() {
    local i
    kill -TERM "$1" 2>/dev/null
    for i in $(seq 200); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

# finish PID SECONDS: wait for PID to exit on its own; stop it after SECONDS (and say so).
finish() {
    local i
    for i in $(seq $(($2 * 20))); do
        kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
        sleep 0.05
    done
    echo "${0##*/}: pid $1 overran its time; stopped" >&2
    stop "$1"
    return 1
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
# CPU time of every thread of PID so far, in ns (schedstat is exact where /proc/PID/stat
# counts 10 ms ticks).
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{n += $1} END {printf "%.0f\n", n}'; }
