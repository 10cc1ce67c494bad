#!/bin/bash
# The todo example, unchanged, on the process, docker and podman backends in turn, driven by
# its own demo.sh (exo setup, exo run --backend B, exo send --wait as web, Ctrl-C): the
# replies, what the services log and the exit code must be the same on all three.
# The images build FROM debian:bookworm-slim as on any machine; here, with no registry, that
# name is a Debian minbase built by debootstrap (tests/support/debian-base.sh, cached).
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/support/engines.sh"
. "$EXO_TOP_SRCDIR/tests/support/debian-base.sh"
[ -e "$EXO_TOP_BUILDDIR/plugins/transport-zmq/.libs/libexoservice.so" ] || {
  [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "libexoservice is not built"
  echo "skip: libexoservice is not built"; exit 77; }
engines_require_both || exit
debian_base_require; r=$?
[ $r = 0 ] || exit $r
trap 'engine_docker_stop; engine_podman_stop; lib_cleanup' EXIT

# An ASan build's C services need the sanitizer runtimes in the image too.
base=$(debian_base_tar python3-zmq libzmq5 libjansson4 ${EXO_SANITIZE_FLAGS:+libasan8 libubsan1}) || fail "building the Debian base image"
engine_docker_start "$T" || fail "dockerd did not start"
engine_podman_start "$T" || fail "podman does not work"
engine_import_debian docker debian:bookworm-slim "$base" || fail "importing the base into docker"
# podman's full name for the short one the Dockerfiles use, so that FROM finds it locally.
engine_import_debian podman docker.io/library/debian:bookworm-slim "$base" ||
  fail "importing the base into podman"

# seen BACKEND: a fresh copy of the example through demo.sh; keep what a user sees.
seen() {
  local b=$1
  rm -rf "$T/todo"
  cp -r "$EXO_TOP_SRCDIR/examples/todo" "$T/todo"
  rm -rf "$T/todo/.exo" "$T/todo/store/store" "$T/todo"/*/sdk
  local t0=$SECONDS
  EXO_TOP_BUILDDIR=$EXO_TOP_BUILDDIR EXO_TOP_SRCDIR=$EXO_TOP_SRCDIR EXO_BIN=$EXO_BIN \
    EXO_PYTHON_DIR=$EXO_TOP_SRCDIR/plugins/transport-zmq/python \
    EXO_CFLAGS="-I$EXO_TOP_SRCDIR/plugins/transport-zmq/include -I$EXO_TOP_SRCDIR/plugin-api -I$EXO_TOP_BUILDDIR/plugin-api" \
    EXO_LIBS="-L$EXO_TOP_BUILDDIR/plugins/transport-zmq/.libs -Wl,-rpath,$EXO_TOP_BUILDDIR/plugins/transport-zmq/.libs -lexoservice${EXO_SANITIZE_FLAGS:+ $EXO_SANITIZE_FLAGS}" \
    sh "$T/todo/demo.sh" --backend "$b" > "$T/$b.out" 2>&1
  local rc=$?
  echo "todo on $b: demo exited $rc after $((SECONDS - t0)) s"
  [ "$rc" = 0 ] || { cat "$T/$b.out"; fail "the todo demo failed on $b"; }
  grep -q "starting the app in the background ($b backend)" "$T/$b.out" ||
    fail "demo.sh did not run on $b"
  {
    echo "exit $rc"
    grep -oE 'all services ready \([0-9]+ services\)' "$T/$b.out"
    # the replies, without the ids and activities that differ per run
    grep -E '^\{"name"' "$T/$b.out" | sed -E 's/"(id|activity)":"[^"]*",//g'
    # what the services logged (two roles' streams: their relative order is not fixed)
    grep -E '^ *(todos|stats) \| (created|counted)' "$T/$b.out" | sed -E 's/^ +//' | sort
  } > "$T/$b.seen"
}
for b in process docker podman; do seen $b; done
cat "$T/process.seen"
[ "$(grep -c '^{"name"' "$T/process.seen")" = 4 ] || fail "expected 4 replies on process"
expect_line "$T/process.seen" '"payload":\{"todos_created":2,"last":"write the report"\}'
expect_line "$T/process.seen" '^stats \| counted a new to-do: 2 so far'
for b in docker podman; do
  diff -u "$T/process.seen" "$T/$b.seen" || fail "$b shows something else than process"
  # the services really ran in containers: exo said where the bus was bound for them
  grep -qE 'bus listening on tcp://(10|172|192)\.' "$T/$b.out" || fail "no container bus on $b"
done
[ -z "$(docker ps -aq --filter label=exo.app=todo)$(podman ps -aq --filter label=exo.app=todo)" ] ||
  fail "containers of the todo app left behind"
pass "the todo example shows the same replies, logs and exit code on process, docker and podman"
