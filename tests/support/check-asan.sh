#!/bin/sh
# check-asan.sh [--quick] SRCDIR BUILDDIR [MAKE ARGS...] - `make check-asan`: the suite on
# an AddressSanitizer + UBSan build of the same sources, in a separate directory. --quick
# (`make check-asan-quick`, what CI runs) runs only the unit test programs and the bus tests.
#
# autoconf refuses an out-of-tree build of a source tree that is also configured in place
# (the README's way), so the tracked and untracked-but-not-ignored files of the git checkout
# are copied into BUILDDIR/src (mtimes kept: a second run rebuilds only what changed) and
# configured there with --enable-asan. Sanitizer reports make the test that caused them fail
# (tests/support/run-test.sh); MAKE ARGS go to `make check` (TESTS="...").
set -eu
quick=no
if [ "${1:-}" = --quick ]; then
  quick=yes
  shift
fi
src=${1:?usage: check-asan.sh [--quick] SRCDIR BUILDDIR [MAKE ARGS...]}
build=${2:?usage: check-asan.sh [--quick] SRCDIR BUILDDIR [MAKE ARGS...]}
shift 2
src=$(cd "$src" && pwd)

git -C "$src" rev-parse --git-dir >/dev/null 2>&1 || {
  echo "check-asan: $src is not a git checkout; configure an empty directory with" \
       "'$src/configure --enable-asan' and run 'make check' there instead" >&2
  exit 2
}
mkdir -p "$build/src"
copy=$(cd "$build/src" && pwd)
# Files deleted in the work tree but still in the index are skipped.
git -C "$src" ls-files -z --cached --others --exclude-standard |
  (cd "$src" && xargs -0 sh -c 'for f; do [ -f "$f" ] && printf "%s\0" "$f"; done' sh) |
  (cd "$src" && tar --null -T - -cf -) | (cd "$copy" && tar -xpf -)

jobs=$(nproc 2>/dev/null || echo 2)
cd "$copy"
if [ ! -f config.status ]; then
  autoreconf -fi
  ./configure -q --enable-asan
fi
make -j"$jobs"
if [ "$quick" = yes ]; then
  # The suite's own list (what this configuration builds), cut down to the CUnit programs
  # (test_*) and tests/bus.
  tests=$(printf 'print-tests:\n\t@echo $(TESTS)\n' | make -s -f Makefile -f - print-tests |
    tr ' ' '\n' | grep -E '(^|/)test_[a-z0-9_]+$|^tests/bus/' | tr '\n' ' ')
  exec make -j"$jobs" check TESTS="$tests" "$@"
fi
exec make -j"$jobs" check "$@"
