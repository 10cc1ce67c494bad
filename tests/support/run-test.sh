#!/bin/sh
# Runs one test program or script. With VALGRIND=1, ELF test programs run under valgrind
# (errors make the test fail); scripts run as they are and may use $EXO_VALGRIND themselves.
# In a sanitizer build (EXO_SANITIZE_FLAGS set, `make check-asan`), every instrumented
# process the test starts writes its ASan/UBSan/LSan report to a file of a directory of this
# test, and any report fails the test: a daemon's error counts even when its exit status is
# not looked at, and reports never mix with the output a test compares.
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
status=0
run "$@" || status=$?
if ls "$reports"/* >/dev/null 2>&1; then
  for r in "$reports"/*; do
    echo "==== sanitizer report $(basename "$r") (test $test_prog)"
    cat "$r"
  done
  echo "FAIL: sanitizer reports above (test exit status $status)"
  exit 1
fi
exit "$status"
