# tests/scaffold/common.sh - sourced by the scaffolding tests: a scratch directory removed on
# exit, user templates isolated from the real home, and small assertions.
set -u
EXO="${EXO_BIN:?EXO_BIN is not set: run through make check}"
T="$(mktemp -d "${TMPDIR:-/tmp}/exo-scaffold-test.XXXXXX")"
trap 'rm -rf "$T"' EXIT
export XDG_DATA_HOME="$T/xdg"
unset EXO_NO_PROMPT

fail() { echo "FAIL: $*" >&2; exit 1; }

# With EXO_VALGRIND set, run_exo runs exo under valgrind (errors and leaks exit 99).
VG=()
if [ -n "${EXO_VALGRIND:-}" ] && [ "${EXO_VALGRIND}" != 0 ]; then
    VG=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99)
fi

# run_exo EXPECTED_STATUS ARGS...: run exo with stdin from /dev/null (never a terminal),
# keeping stdout in $T/out and stderr in $T/err.
run_exo() {
    local want="$1"; shift
    local rc=0
    "${VG[@]}" "$EXO" "$@" </dev/null >"$T/out" 2>"$T/err" || rc=$?
    if [ "$rc" != "$want" ]; then
        echo "--- stdout"; cat "$T/out"; echo "--- stderr"; cat "$T/err"
        fail "exo $* exited with $rc, expected $want"
    fi
}

# err_has TEXT: stderr of the last run_exo mentions TEXT.
err_has() { grep -qF -- "$1" "$T/err" || { cat "$T/err"; fail "stderr lacks '$1'"; }; }
out_has() { grep -qF -- "$1" "$T/out" || { cat "$T/out"; fail "stdout lacks '$1'"; }; }

# no_temp_left DIR: no half-rendered directory was left behind.
no_temp_left() {
    if ls -A "$1" | grep -q 'exo-new'; then ls -A "$1"; fail "temporary directory left in $1"; fi
}

# tree_sum DIR: one checksum of every path and file content under DIR.
tree_sum() { (cd "$1" && find . -print0 | LC_ALL=C sort -z | xargs -0 -r sha1sum 2>/dev/null; find . | LC_ALL=C sort) | sha1sum; }

# skip_or_fail MESSAGE: a missing prerequisite skips (77), unless EXO_TEST_REQUIRE_ALL is set.
skip_or_fail() {
    if [ -n "${EXO_TEST_REQUIRE_ALL:-}" ]; then fail "$1"; fi
    echo "SKIP: $1"; exit 77
}

# Build-tree stand-ins for what an installed exo gives setup commands and Python services.
build_tree_sdk() {
    local top="${EXO_TOP_SRCDIR:-}" build="${EXO_TOP_BUILDDIR:-}"
    [ -n "$top" ] && [ -n "$build" ] || return 0
    local libs="$build/plugins/transport-zmq/.libs"
    : "${EXO_CFLAGS:=-I$top/plugins/transport-zmq/include -I$top/plugin-api -I$build/plugin-api}"
    : "${EXO_LIBS:=-L$libs -Wl,-rpath,$libs -lexoservice${EXO_SANITIZE_FLAGS:+ $EXO_SANITIZE_FLAGS}}"
    : "${EXO_PYTHON_DIR:=$top/plugins/transport-zmq/python}"
    export EXO_CFLAGS EXO_LIBS EXO_PYTHON_DIR
}

# e2e TEMPLATE: the three-command path for one service template, then run, send and test.
e2e() {
    local tpl="$1" cmd
    for cmd in setup run test send; do
        "$EXO" help | grep -q "^  $cmd " || skip_or_fail "this exo has no '$cmd' command yet"
    done
    build_tree_sdk
    cd "$T"
    run_exo 0 create app demo
    cd demo
    run_exo 0 add service ping --template "$tpl"
    # the bus routes ping only from a role that sends it: the client template is that role
    run_exo 0 add service client --template client
    "$EXO" check </dev/null >"$T/check.log" 2>&1 || { cat "$T/check.log"; fail "exo check failed"; }
    "$EXO" setup </dev/null >"$T/setup.log" 2>&1 || { cat "$T/setup.log"; fail "exo setup failed"; }
    "$EXO" run </dev/null >"$T/run.log" 2>&1 &
    local run_pid=$!
    trap 'kill -TERM $run_pid 2>/dev/null; wait $run_pid 2>/dev/null; rm -rf "$T"' EXIT
    local i got=no
    for i in $(seq 1 60); do
        if "$EXO" send --as client ping '{"n":42}' --wait --timeout 1000 </dev/null >"$T/reply" 2>"$T/send.err"; then
            got=yes; break
        fi
        kill -0 "$run_pid" 2>/dev/null || { cat "$T/run.log"; fail "exo run exited"; }
        sleep 0.5
    done
    [ "$got" = yes ] || { cat "$T/run.log" "$T/send.err"; fail "no reply to ping"; }
    grep -q 'pong' "$T/reply" || { cat "$T/reply"; fail "the reply is not pong"; }
    grep -q '"n": *42' "$T/reply" || { cat "$T/reply"; fail "pong does not carry the payload"; }
    kill -TERM "$run_pid"
    wait "$run_pid" || true
    trap 'rm -rf "$T"' EXIT
    "$EXO" test </dev/null >"$T/test.log" 2>&1 || { cat "$T/test.log"; fail "exo test failed"; }
    echo "reply: $(cat "$T/reply")"
    echo "e2e $tpl: ok"
}
