#!/bin/bash
# tests/fuzz/run.sh RUNS TARGET... - the long fuzzing run behind `make fuzz`: each target built
# with clang (libFuzzer, ASan, UBSan) and run for RUNS executions, all targets at once (one
# process each), then one line per target: executions, seconds, executions per second, crashes.
# Everything stays in $EXO_FUZZ_DIR (default fuzz-out/ in the build tree): the grown corpora
# (corpus-NAME), the logs (NAME.log) and any crashing input (artifacts-NAME/).
# Exit status 1 when a target crashed, leaked or failed a check.
set -u
. "${EXO_TOP_SRCDIR:?EXO_TOP_SRCDIR not set}/tests/fuzz/fuzz-lib.sh"
runs=${1:?usage: run.sh RUNS TARGET...}
shift
dir=${EXO_FUZZ_DIR:-$EXO_TOP_BUILDDIR/fuzz-out}
mkdir -p "$dir"
for t in "$@"; do
  fuzz_build "$t" "$dir" >/dev/null || { echo "fuzz: cannot build $t (see $dir/build-$t.log)"; exit 1; }
  fuzz_regressions "$t" "$dir" || { echo "fuzz: a kept crashing input of $t crashes again"; exit 1; }
done
# Without the allocation stack of every block, ASan's malloc costs a quarter less here; a crash
# still keeps its input (artifacts-NAME/), and `fuzz_NAME INPUT` replays it with full stacks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0}
pids=()
for t in "$@"; do
  ( start=$SECONDS
    fuzz_run "$t" "$dir" -runs="$runs"
    echo "$? $((SECONDS - start))" >"$dir/$t.result" ) &
  pids+=($!)
done
wait "${pids[@]}"
failed=0
printf '%-10s %12s %8s %8s %s\n' target executions seconds exec/s crashes
for t in "$@"; do
  read -r rc secs <"$dir/$t.result"
  execs=$(fuzz_stat "$t" "$dir" number_of_executed_units)
  crashes=$(ls "$dir/artifacts-$t" | wc -l)
  printf '%-10s %12s %8s %8s %s\n' "$t" "${execs:-?}" "$secs" "$(( ${execs:-0} / (secs > 0 ? secs : 1) ))" \
    "$crashes"
  [ "$rc" = 0 ] && [ "$crashes" = 0 ] || { failed=1; echo "  $t: exit $rc; see $dir/$t.log"; }
done
exit $failed
