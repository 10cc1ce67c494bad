#!/usr/bin/env bash
# bench/run-auth-bench.sh - the cost of bus authentication (issue 18 finding 1): the bus
# benchmark's busd column, alternately on a build WITHOUT authentication (a build tree of the
# commit before it, given by --base) and on this build, PAIRS times; then, for every metric,
# the ratio within each pair (auth / base) and the median of those ratios. Alternating pairs
# keep a shared machine's drift out of the comparison.
#
# Usage: bench/run-auth-bench.sh --base DIR [--pairs N] [--work DIR]
#   --base DIR   a built tree without bus authentication, e.g.
#                  git worktree add --detach /tmp/exo-noauth 4508892
#                  (cd /tmp/exo-noauth && autoreconf -fi && ./configure -q &&
#                   make -j2 exo plugins/transport_zmq.la plugins/transport-zmq/libexoservice.la \
#                        plugins/transport-zmq/tests/busd bench/bench-exo bench/bench-zmq)
#   --pairs N    pairs of runs (default 6; one run is about a minute)
#   --work DIR   where the per-run TSV files go (default: a new directory in /tmp)
# The authentication happens once per connection (at registration): the per-message path
# is unchanged, so the ratios should be 1 within the noise.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BASE="" PAIRS=6 WORK=""
die() { echo "run-auth-bench: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case $1 in
        --base) [ $# -ge 2 ] || die "--base needs a directory"; BASE=$2; shift 2 ;;
        --pairs) [ $# -ge 2 ] || die "--pairs needs a number"; PAIRS=$2; shift 2 ;;
        --work) [ $# -ge 2 ] || die "--work needs a directory"; WORK=$2; shift 2 ;;
        *) die "unknown argument '$1' (see the header of $0)" ;;
    esac
done
[ -n "$BASE" ] && [ -x "$BASE/plugins/transport-zmq/tests/busd" ] ||
    die "--base must name a built tree without authentication (see the header of $0)"
case $PAIRS in ''|*[!0-9]*|0) die "--pairs wants a positive integer, got '$PAIRS'" ;; esac
WORK=${WORK:-$(mktemp -d /tmp/exo-auth-bench.XXXXXX)}
mkdir -p "$WORK"
for i in $(seq "$PAIRS"); do
    for v in base auth; do
        dir=$BASE; [ $v = auth ] && dir=$HERE/..
        echo "pair $i/$PAIRS: $v" >&2
        "$HERE/run-bus-bench.sh" --reps 1 --transports busd --builddir "$dir" \
            --out "$WORK/$v-$i.tsv" > "$WORK/$v-$i.txt" 2>&1 || die "$v run $i failed: see $WORK/$v-$i.txt"
    done
done
python3 - "$WORK" "$PAIRS" <<'PY'
import statistics, sys
work, pairs = sys.argv[1], int(sys.argv[2])
def load(path):
    out = {}
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) == 4 and f[0] == "busd":
            try:
                out[f[1]] = float(f[3])
            except ValueError:
                pass
    return out
runs = [(load("%s/base-%d.tsv" % (work, i)), load("%s/auth-%d.tsv" % (work, i)))
        for i in range(1, pairs + 1)]
rows = [("tp100", "throughput 100 B (msg/s)", 1), ("tp1k", "throughput 1 KiB (msg/s)", 1),
        ("rr_p50", "req/rep p50 (ns)", -1), ("rr_p99", "req/rep p99 (ns)", -1),
        ("cpu.tp100", "broker CPU/msg 100 B (ns)", -1), ("cpu.tp1k", "broker CPU/msg 1 KiB (ns)", -1),
        ("fan4", "fan-out 4 (deliveries/s)", 1)]
print("%-28s %10s %10s %12s %s" % ("metric", "base", "auth", "auth/base", "ratios per pair"))
for key, label, better in rows:
    pairs_ok = [(b[key], a[key]) for b, a in runs if key in b and key in a and b[key] > 0]
    if not pairs_ok:
        continue
    ratios = [a / b for b, a in pairs_ok]
    print("%-28s %10.1f %10.1f %12.3f %s" % (
        label, statistics.median(b for b, _ in pairs_ok), statistics.median(a for _, a in pairs_ok),
        statistics.median(ratios), " ".join("%.2f" % r for r in ratios)))
print("(auth/base: median of the per-pair ratios; > 1 is better for rates, worse for times)")
PY
echo "runs: $WORK" >&2
