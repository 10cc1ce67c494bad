# tests/browser/app-lib.sh - sourced by the browser tests of the fullstack template (after
# tests/support/run-lib.sh and setup.sh): make the app, run it, hand it to fullstack.mjs.
# Needs $T, $PY, fail, wait_for, expect_line, marked_pids from run-lib.sh.

fullstack_require() {
  local libs="$EXO_TOP_BUILDDIR/plugins/transport-zmq/.libs" p
  [ -e "$libs/libexoservice.so" ] || browser_missing "libexoservice is not built"
  for p in resource_postgres frontend_websocket; do
    [ -e "$EXO_TOP_BUILDDIR/plugins/.libs/$p.so" ] ||
      browser_missing "the $p plugin is not built (see ./configure's summary)"
  done
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || browser_missing "PostgreSQL is not installed"
  export EXO_CFLAGS="-I$EXO_TOP_SRCDIR/plugins/transport-zmq/include -I$EXO_TOP_SRCDIR/plugin-api -I$EXO_TOP_BUILDDIR/plugin-api"
  export EXO_LIBS="-L$libs -Wl,-rpath,$libs -lexoservice${EXO_SANITIZE_FLAGS:+ $EXO_SANITIZE_FLAGS}"
}

# fullstack_create NAME: `exo create app NAME --template fullstack` in $T, set up, with the
# page on a free port instead of 3000 (tests run in parallel). Leaves the cwd in the app and
# the port in $app_port.
fullstack_create() {
  chmod 755 "$T" # PostgreSQL runs as the postgres user when the suite runs as root
  cd "$T" || exit 1
  "$EXO_BIN" create app "$1" --template fullstack </dev/null >"$T/create.out" 2>&1 ||
    { cat "$T/create.out"; fail "exo create app $1 --template fullstack"; }
  cd "$1" || exit 1
  app_port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  grep -q '^    public: 3000 ' application.yml || fail "the template's application.yml has no public: 3000"
  sed -i "s/^    public: 3000 /    public: $app_port /" application.yml
  "$EXO_BIN" setup </dev/null >"$T/setup.out" 2>&1 || { cat "$T/setup.out"; fail "exo setup"; }
}

# fullstack_pid ROLE: the pid of this test's `exo frontend ROLE` unit.
fullstack_pid() {
  local p
  for p in $(marked_pids); do
    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q " frontend $1 *$" && { echo "$p"; return 0; }
  done
  return 1
}

# fullstack_browse NAME RUN_LOG RUN_PID: once exo run (pid RUN_PID, its output in RUN_LOG)
# is ready, check the printed URL, drive the page with fullstack.mjs (screenshots
# NAME-*.png), and check that exo restarted the frontend unit the browser test killed.
fullstack_browse() {
  local url="http://127.0.0.1:$app_port/" pid i
  for ((i = 0; i < 2400; i++)); do # 240 s: the first docker run builds the images
    grep -qE "all services ready|failed|error" "$2" 2>/dev/null && break
    kill -0 "$3" 2>/dev/null || { cat "$2"; fail "exo run ended before the app was ready"; }
    sleep 0.1
  done
  expect_line "$2" "all services ready"
  # the page's URL among the public endpoints, printed once the app is ready
  wait_for "$2" "web.* http://127\.0\.0\.1:$app_port/?\$" 10
  pid=$(fullstack_pid web) || { ps -ef >&2; fail "no 'exo frontend web' process"; }
  browser_node fullstack.mjs "$url" "$pid" "$1" >"$T/browser.out" 2>&1 ||
    { cat "$T/browser.out" "$2"; fail "the browser test failed (screenshots: $EXO_BROWSER_ARTIFACTS/$1-*.png)"; }
  cat "$T/browser.out"
  wait_for "$2" 'web.*(restarting|restarted)' 10
}
