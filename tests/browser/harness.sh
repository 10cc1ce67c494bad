#!/bin/bash
# The browser harness on its own (tests/browser/lib.mjs): headless chromium through
# playwright-core loads a static page this test serves (python3 -m http.server), runs its
# module, clicks, and saves a screenshot; a check that fails exits 1 and leaves a failure
# screenshot. Runs before the app tests so a broken harness is told apart from a broken app.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/browser/setup.sh"
# Screenshots stay after the test, where CI collects them (gitignored).
export EXO_BROWSER_ARTIFACTS="$EXO_TOP_BUILDDIR/tests/browser/artifacts"
mkdir -p "$EXO_BROWSER_ARTIFACTS"
rm -f "$EXO_BROWSER_ARTIFACTS"/harness-*.png

port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$PY -m http.server --bind 127.0.0.1 --directory "$EXO_TOP_SRCDIR/tests/browser/fixtures/static" \
  "$port" >"$T/http.log" 2>&1 &
for i in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/" >/dev/null && break
  sleep 0.1
done
url="http://127.0.0.1:$port/"

browser_node harness.mjs "$url" >"$T/ok.out" 2>&1 || { cat "$T/ok.out"; fail "the harness check failed"; }
grep -q '^PASS: harness' "$T/ok.out" || { cat "$T/ok.out"; fail "no PASS line"; }
[ -s "$EXO_BROWSER_ARTIFACTS/harness-clicked.png" ] || fail "no screenshot saved"
# a PNG, not an empty or error file
head -c 8 "$EXO_BROWSER_ARTIFACTS/harness-clicked.png" | od -An -c | grep -q 'P   N   G' ||
  fail "the screenshot is not a PNG"

rc=0
browser_node harness.mjs "$url" --expect-failure >"$T/bad.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || { cat "$T/bad.out"; fail "a failing check exited $rc, not 1"; }
grep -q '^FAIL: harness-failing: .*timed out .*text that never appears' "$T/bad.out" ||
  { cat "$T/bad.out"; fail "the failure does not say what was awaited"; }
[ -s "$EXO_BROWSER_ARTIFACTS/harness-failing-failure-1.png" ] || fail "no failure screenshot"
pass "the browser harness drives chromium, checks, and screenshots"
