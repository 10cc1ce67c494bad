#!/bin/bash
# exo run's dashboard in a real browser, on the process backend: examples/todo runs (exo run
# in a pseudo-terminal, so that its output has the terminal's colours to compare with the
# page's), and headless chromium (dashboard.mjs) checks every view against the real app:
# every service ready, the map's counters equal to the broker's after `exo send` traffic, a
# denied message on its edge, the inspector, a killed service restarting, the Restart, Stop
# and Start buttons, the Send form, the logs with the terminal's prefix colours, and that
# the page without its token (or with a wrong one) is refused.
# Screenshots: tests/browser/artifacts/dashboard-*.png.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/browser/setup.sh"
. "$EXO_TOP_SRCDIR/tests/browser/dashboard-lib.sh"
dashboard_require
dashboard_app

# A pty makes exo run colour its prefixes as in a terminal (exo_use_color: isatty).
$PY -c 'import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))' "$EXO_BIN" run --app "$app" </dev/null >"$T/run.out" 2>&1 &
pty_pid=$!
dashboard_url "$T/run.out" "$pty_pid" 30
run_pid=$(ps -o pid= --ppid "$pty_pid" | tr -d ' ')
[ -n "$run_pid" ] || fail "no exo run under the pseudo-terminal"

dashboard_browse dashboard --terminal-log "$T/run.out"

kill -INT "$run_pid"
wait_exit "$pty_pid" 60
[ "$RC" = 0 ] || { cat "$T/run.out"; fail "exo run exited $RC"; }
pass "the dashboard shows and steers the todo app in chromium on the process backend"
