# tests/support/lib.sh - helpers shared by integration test scripts. Source it first:
#   . "$EXO_TOP_SRCDIR/tests/support/lib.sh"
# It creates $T (a scratch dir) and kills every process started with `bg` on exit.
set -u
T=$(mktemp -d "${TMPDIR:-/tmp}/exo-test.XXXXXX")
_exo_pids=""

_exo_cleanup() {
  for p in $_exo_pids; do kill "$p" 2>/dev/null; done
  for p in $_exo_pids; do wait "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap _exo_cleanup EXIT

# fail MESSAGE: print and exit 1.
fail() { echo "FAIL: $*" >&2; exit 1; }

# skip_or_fail MESSAGE: a missing prerequisite skips (77) unless EXO_TEST_REQUIRE_ALL is set.
skip_or_fail() {
  if [ -n "${EXO_TEST_REQUIRE_ALL:-}" ]; then fail "required: $*"; fi
  echo "SKIP: $*" >&2; exit 77
}

# bg OUTFILE CMD...: run CMD in the background with stdout+stderr in OUTFILE; sets $BG_PID.
bg() {
  local out="$1"; shift
  "$@" >"$out" 2>&1 &
  BG_PID=$!
  _exo_pids="$_exo_pids $BG_PID"
}

# wait_for FILE REGEX [SECONDS]: until a line of FILE matches (default 10 s).
wait_for() {
  local file="$1" re="$2" limit="${3:-10}" i=0
  while [ "$i" -lt $((limit * 20)) ]; do
    grep -Eq -- "$re" "$file" 2>/dev/null && return 0
    sleep 0.05; i=$((i + 1))
  done
  echo "--- $file:" >&2; cat "$file" >&2 2>/dev/null
  fail "timed out waiting for /$re/ in $file"
}

# count_lines FILE REGEX: how many lines match.
count_lines() { grep -Ec -- "$2" "$1" 2>/dev/null || true; }
