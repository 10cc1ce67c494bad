#!/bin/sh
# Runs one test program or script. With VALGRIND=1, ELF test programs run under valgrind
# (errors make the test fail); scripts run as they are and may use $EXO_VALGRIND themselves.
test_prog="$1"
shift
case "$test_prog" in
  *.sh) exec bash "$test_prog" "$@" ;;
esac
if [ -n "$VALGRIND" ] && [ "$VALGRIND" != 0 ]; then
  # libtool wrappers: run the real binary under valgrind through libtool --mode=execute.
  exec "$EXO_TOP_BUILDDIR/libtool" --mode=execute valgrind --quiet --error-exitcode=99 \
    --leak-check=full --errors-for-leak-kinds=definite "$test_prog" "$@"
fi
exec "$test_prog" "$@"
