#!/bin/sh
# Runs one test program or script. With VALGRIND=1, ELF test programs run under valgrind
# (errors make the test fail); scripts run as they are and may use $EXO_VALGRIND themselves.
# In a sanitizer build (EXO_SANITIZE_FLAGS set, `make check-asan`), every instrumented
# process the test starts writes its ASan/LSan report to a file of a directory of this test,
# and any report fails the test: a daemon's error counts even when its exit status is not
# looked at, and reports never mix with the output a test compares. UBSan's reports (stderr
# only, see below) fail the test when they reach its output.
test_prog="$1"
shift
run() {
  case "$test_prog" in
    *.sh) bash "$test_prog" "$@" ;;
    *)
      if [ -n "$VALGRIND" ] && [ "$VALGRIND" != 0 ]; then
        # libtool wrappers: the real binary under valgrind through libtool --mode=execute.
        "$EXO_TOP_BUILDDIR/libtool" --mode=execute valgrind --quiet --error-exitcode=99 \
          --leak-check=full --errors-for-leak-kinds=definite "$test_prog" "$@"
      else
        "$test_prog" "$@"
      fi ;;
  esac
}
if [ -z "${EXO_SANITIZE_FLAGS:-}" ]; then
  run "$@"
  exit $?
fi
reports=$(mktemp -d "${TMPDIR:-/tmp}/exo-sanitize.XXXXXX")
trap 'rm -rf "$reports"' EXIT
ASAN_OPTIONS="log_path=$reports/asan:halt_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="log_path=$reports/ubsan:halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS UBSAN_OPTIONS
# gcc's UBSan ignores log_path and writes to stderr: its reports are looked for in the test's
# own output too (and halt_on_error ends the process, which the test notices).
output=$(mktemp "${TMPDIR:-/tmp}/exo-sanitize-output.XXXXXX")
trap 'rm -rf "$reports" "$output"' EXIT
status=0
run "$@" > "$output" 2>&1 || status=$?
cat "$output"
ubsan=$(grep -E ':[0-9]+:[0-9]+: runtime error: ' "$output" | head -5)
if ls "$reports"/* >/dev/null 2>&1 || [ -n "$ubsan" ]; then
  for r in "$reports"/*; do
    [ -f "$r" ] || continue
    echo "==== sanitizer report $(basename "$r") (test $test_prog)"
    cat "$r"
  done
  [ -z "$ubsan" ] || printf '==== UBSan reports in the output above:\n%s\n' "$ubsan"
  echo "FAIL: sanitizer reports above (test exit status $status)"
  exit 1
fi
exit "$status"
