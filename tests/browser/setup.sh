# tests/browser/setup.sh - sourced by the browser tests: find node, npm and chromium, and
# install the pinned playwright-core (package-lock.json) into tests/browser/node_modules of
# the build tree with `npm ci` when it is missing or the lock changed. Defines
# browser_node FILE.mjs ARGS...
# Needs: $EXO_TOP_SRCDIR, $EXO_TOP_BUILDDIR, fail (tests/support/run-lib.sh). A missing part
# skips (77) unless EXO_TEST_REQUIRE_ALL is set; an npm that cannot reach its registry fails,
# saying so.
browser_src="$EXO_TOP_SRCDIR/tests/browser"
# The modules run from the build tree, next to node_modules (node resolves imports from the
# importing file's directory), so a read-only source tree (make distcheck) works too.
browser_dir="$EXO_TOP_BUILDDIR/tests/browser"
mkdir -p "$browser_dir" || fail "cannot create $browser_dir"

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
  want=$(cksum <"$browser_src/package-lock.json")
  (
    flock 9
    if [ "$(cd "$browser_src" && pwd -P)" != "$(cd "$browser_dir" && pwd -P)" ]; then
      cp "$browser_src"/package.json "$browser_src"/package-lock.json "$browser_src"/*.mjs \
        "$browser_dir/" || exit 1
    fi
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
