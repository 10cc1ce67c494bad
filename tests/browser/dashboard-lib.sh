# tests/browser/dashboard-lib.sh - sourced by the dashboard's browser tests (after
# tests/support/run-lib.sh and setup.sh): a fresh copy of examples/todo, set up, run, and
# driven in chromium by dashboard.mjs. Needs $T, $PY, fail, wait_for, expect_line from run-lib.sh.

dashboard_require() {
  local libs="$EXO_TOP_BUILDDIR/plugins/transport-zmq/.libs"
  [ -e "$libs/libexoservice.so" ] || browser_missing "libexoservice is not built"
  [ -e "$EXO_TOP_BUILDDIR/plugins/.libs/frontend_websocket.so" ] ||
    browser_missing "the frontend_websocket plugin is not built (libwebsockets-dev; see ./configure's summary)"
  export EXO_PYTHON_DIR="$EXO_TOP_SRCDIR/plugins/transport-zmq/python"
  export EXO_CFLAGS="-I$EXO_TOP_SRCDIR/plugins/transport-zmq/include -I$EXO_TOP_SRCDIR/plugin-api -I$EXO_TOP_BUILDDIR/plugin-api"
  export EXO_LIBS="-L$libs -Wl,-rpath,$libs -lexoservice${EXO_SANITIZE_FLAGS:+ $EXO_SANITIZE_FLAGS}"
  # the page from this tree (an installed exo finds it in $(pkgdatadir)/dashboard)
  export EXO_DASHBOARD_DIR="$EXO_TOP_SRCDIR/core/dashboard/web"
  export EXO_BROWSER_ARTIFACTS="$EXO_TOP_BUILDDIR/tests/browser/artifacts"
  mkdir -p "$EXO_BROWSER_ARTIFACTS"
}

# dashboard_app: a fresh copy of examples/todo in $T/todo, built (exo setup). Sets $app.
dashboard_app() {
  app="$T/todo"
  rm -rf "$app"
  cp -r "$EXO_TOP_SRCDIR/examples/todo" "$app" || fail "copying examples/todo"
  chmod -R u+w "$app" # a read-only source tree (make distcheck)
  rm -rf "$app/.exo" "$app/store/store" "$app"/*/sdk
  "$EXO_BIN" setup --app "$app" </dev/null >"$T/setup.out" 2>&1 || { cat "$T/setup.out"; fail "exo setup of the todo app"; }
}

# dashboard_url RUN_LOG RUN_PID SECONDS: once the app is ready, the dashboard's URL exo
# printed (checked against .exo/run.json and `exo dashboard`). Sets $url.
dashboard_url() {
  local i n=$(( $3 * 10 ))
  for ((i = 0; i < n; i++)); do
    grep -qE "all services ready|failed|error" "$1" 2>/dev/null && break
    kill -0 "$2" 2>/dev/null || { cat "$1"; fail "exo run ended before the app was ready"; }
    sleep 0.1
  done
  expect_line "$1" "all services ready"
  wait_for "$1" 'dashboard at http://127\.0\.0\.1:[0-9]+/[0-9a-f]{32}/' 10
  url=$(grep -oE 'dashboard at http://127\.0\.0\.1:[0-9]+/[0-9a-f]{32}/' "$1" | head -1 | sed 's/^dashboard at //')
  local listed
  listed=$("$EXO_BIN" dashboard --app "$app" 2>&1) || fail "exo dashboard: $listed"
  [ "$listed" = "$url" ] || fail "exo dashboard printed '$listed', exo run '$url'"
  grep -qF "\"$url\"" "$app/.exo/run.json" || { cat "$app/.exo/run.json"; fail "run.json lacks the dashboard's URL"; }
}

# dashboard_browse NAME [ARGS...]: dashboard.mjs against $url and $app (screenshots NAME-*.png).
dashboard_browse() {
  local name=$1; shift
  rm -f "$EXO_BROWSER_ARTIFACTS/$name"-*.png
  browser_node dashboard.mjs "$url" "$app" "$name" "$@" >"$T/browser.out" 2>&1 ||
    { cat "$T/browser.out"; tail -n 60 "$T/run.out"; fail "the dashboard's browser test failed (screenshots: $EXO_BROWSER_ARTIFACTS/$name-*.png)"; }
  cat "$T/browser.out"
}
