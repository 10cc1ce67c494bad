# tests/browser/setup.sh - sourced by the browser tests: find node, npm and chromium, and
# install the pinned playwright-core (package-lock.json) into tests/browser/node_modules with
# `npm ci` when it is missing or the lock changed. Defines browser_node FILE.mjs ARGS...
# Needs: $EXO_TOP_SRCDIR, fail (tests/support/run-lib.sh). A missing part skips (77) unless
# EXO_TEST_REQUIRE_ALL is set; an npm that cannot reach its registry fails, saying so.
browser_dir="$EXO_TOP_SRCDIR/tests/browser"

browser_missing() {
  [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "$1"
  echo "skip: $1"
  exit 77
}

command -v node >/dev/null 2>&1 || browser_missing "node is not installed (Debian: apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || browser_missing "npm is not installed (Debian: apt-get install npm)"
EXO_CHROMIUM="${EXO_CHROMIUM:-/usr/bin/chromium}"
[ -x "$EXO_CHROMIUM" ] || browser_missing "no chromium at $EXO_CHROMIUM (Debian: apt-get install chromium)"
export EXO_CHROMIUM
# Playwright must never fetch a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# One install at a time (tests run in parallel); done when the stamp names this lock file.
browser_install() {
  local want stamp="$browser_dir/node_modules/.exo-lock-sum"
  want=$(cksum <"$browser_dir/package-lock.json")
  [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
  (
    flock 9
    [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && exit 0
    echo "browser tests: npm ci (playwright-core, pinned in tests/browser/package-lock.json)"
    if ! (cd "$browser_dir" && timeout 300 npm ci --ignore-scripts --no-audit --no-fund \
            --fetch-retries=1 --fetch-timeout=30000 >"$browser_dir/npm-ci.log" 2>&1); then
      tail -n 20 "$browser_dir/npm-ci.log" >&2
      echo "FAIL: npm ci could not install playwright-core into $browser_dir/node_modules:" \
           "is the npm registry reachable (npm config get registry: $(npm config get registry))?" \
           "The full log is $browser_dir/npm-ci.log." >&2
      exit 1
    fi
    echo "$want" >"$stamp"
  ) 9>"$browser_dir/.npm-ci.lock" || exit 1
}
browser_install

# browser_node FILE.mjs ARGS...: run one browser test module (from tests/browser).
browser_node() {
  local file="$1"; shift
  node "$browser_dir/$file" "$@"
}
