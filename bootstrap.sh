#!/bin/sh
# bootstrap.sh - the README's two quick-start commands on a fresh Debian 12 machine.
#   sh bootstrap.sh demo   install what is missing, build, install exo, run the example app
#   sh bootstrap.sh test   install what is missing, build, run the whole test suite, then
#                          the unit and bus tests on an ASan+UBSan build (make check-asan-quick)
# Needs root for apt-get and `make install` (it uses sudo when not root).
set -eu

mode="${1:-}"
case "$mode" in
  demo|test) ;;
  *) echo "usage: sh bootstrap.sh demo|test" >&2; exit 1 ;;
esac

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Build and core runtime dependencies (the embedded default needs only these).
core_pkgs="build-essential autoconf automake libtool libltdl-dev pkg-config libwebsockets-dev
  libyaml-dev libjansson-dev libzmq3-dev libcunit1-dev python3 python3-zmq"
# Everything the test suite uses for real: servers, engines, peers, analysis tools.
test_pkgs="libpq-dev libhiredis-dev postgresql redis-server libnats-dev nats-server
  docker.io podman runc netavark aardvark-dns busybox-static clang libclang-rt-14-dev valgrind
  procps iproute2 psmisc curl ca-certificates memcached debootstrap libcurl4-openssl-dev
  libarchive-dev docker-compose python3-kubernetes catatonit chromium nodejs npm"

pkgs="$core_pkgs"
[ "$mode" = test ] && pkgs="$pkgs $test_pkgs"
missing=""
for p in $pkgs; do
  # node and npm may come from elsewhere: NodeSource's nodejs bundles npm and conflicts with
  # Debian's npm package. Working commands on PATH count as installed.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "bootstrap: installing:$missing"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

jobs=$(nproc 2>/dev/null || echo 2)
[ -x configure ] || autoreconf -fi
# Configure again whenever the installed packages changed since the last configure: `demo`
# installs fewer than `test`, and a tree configured without libhiredis-dev (say) would build
# without the redis plugin however often `test` ran after it.
pkgstamp=$(dpkg-query -W $core_pkgs $test_pkgs 2>/dev/null | cksum)
if [ ! -f Makefile ] || [ "$(cat .bootstrap-configured 2>/dev/null)" != "$pkgstamp" ]; then
  ./configure -q
  echo "$pkgstamp" > .bootstrap-configured
fi
make -j"$jobs"

if [ "$mode" = demo ]; then
  as_root make install
  as_root ldconfig
  exec sh examples/todo/demo.sh
fi

status=0
EXO_TEST_REQUIRE_ALL=1 make -j"$jobs" check || status=$?
# One plain closing line for humans and CI: totals from the automake harness.
if [ -f test-suite.log ] || ls tests >/dev/null 2>&1; then
  # asan-build/ (make check-asan) has results of its own.
  find . -path ./asan-build -prune -o -name '*.trs' -exec cat {} + > .trs-all 2>/dev/null || true
  pass=$(grep -c '^:test-result: PASS' .trs-all || true)
  fail=$(grep -c -E '^:test-result: (FAIL|ERROR|XPASS)' .trs-all || true)
  skip=$(grep -c '^:test-result: SKIP' .trs-all || true)
  rm -f .trs-all
  # What each failing test printed last: on CI this output is all there is to go by.
  for trs in $(grep -l -E '^:test-result: (FAIL|ERROR|XPASS)' $(find . -path ./asan-build -prune -o -name '*.trs' -print) 2>/dev/null); do
    echo "---- ${trs%.trs}.log (last 40 lines)"
    tail -n 40 "${trs%.trs}.log" 2>/dev/null
  done
  echo "$pass passed, $fail failed, $skip skipped"
fi
# The unit and bus tests again on an ASan + UBSan build (docs/testing.md), so that a memory
# error or undefined behaviour fails the test command too.
if ! EXO_TEST_REQUIRE_ALL=1 make check-asan-quick; then
  cat asan-build/src/test-suite.log 2>/dev/null || true
  echo "check-asan-quick failed"
  status=1
fi
exit "$status"
