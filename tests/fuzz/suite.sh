# tests/fuzz/suite.sh - sourced by tests/fuzz/manifest.sh and template.sh: one target, its kept
# crashing inputs first, then libFuzzer for a bounded time (EXO_FUZZ_SECONDS, default 20).
. "$EXO_TOP_SRCDIR/tests/support/lib.sh"
. "$EXO_TOP_SRCDIR/tests/fuzz/fuzz-lib.sh"

fuzz_suite() {
  local name=$1 r
  fuzz_build "$name" "$T" >/dev/null; r=$?
  [ $r = 77 ] && skip_or_fail "clang with libFuzzer (apt install clang libclang-rt-14-dev)"
  [ $r = 0 ] || fail "cannot build the $name fuzz target"
  fuzz_regressions "$name" "$T" || {
    tail -40 "$T/$name-regressions.log"; fail "a kept crashing input of $name crashes again"; }
  fuzz_run "$name" "$T" -max_total_time="${EXO_FUZZ_SECONDS:-20}" || {
    tail -40 "$T/$name.log"; ls "$T/artifacts-$name"; fail "the $name fuzzer found a crash"; }
  echo "fuzz $name: $(fuzz_stat "$name" "$T" number_of_executed_units) executions in" \
    "${EXO_FUZZ_SECONDS:-20} s, no crash"
}
