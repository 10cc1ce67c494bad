# tests/resources/common.sh - helpers the resource tests share. Source it, then call
# res_init NAME: sets WORK (a temp dir removed on exit), RESHOST, and a cleanup trap that stops
# anything reshost still runs. Servers only ever start through reshost and the plugins.
set -u

RESHOST="$EXO_TOP_BUILDDIR/tests/resources/reshost"
res_pids=""

res_skip() {
  if [ -n "${EXO_TEST_REQUIRE_ALL:-}" ]; then
    echo "FAIL (required): $*" >&2
    exit 1
  fi
  echo "SKIP: $*" >&2
  exit 77
}

res_cleanup() {
  for p in $res_pids; do
    kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
  done
  [ -n "${WORK:-}" ] && rm -rf "$WORK"
}

res_init() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/exo-$1.XXXXXX")
  # As root the postgres server runs as the postgres user, which must reach the app dir.
  chmod 755 "$WORK"
  trap res_cleanup EXIT
}

fails=0
passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
not_ok() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }
check() { # check DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}
check_eq() { # check_eq DESCRIPTION EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; fi
}
check_contains() { # check_contains DESCRIPTION NEEDLE HAYSTACK
  case "$3" in
    *"$2"*) ok "$1" ;;
    *) not_ok "$1: '$2' not in: $3" ;;
  esac
}
res_finish() {
  echo "$passes passed, $fails failed"
  [ "$fails" -eq 0 ]
}

# A port that nothing listens on right now.
res_free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# reshost in the background, for tests that need a server to stay up; the trap stops it.
res_bg() {
  "$RESHOST" "$@" &
  res_pids="$res_pids $!"
}

# True when a plugin file NAME.so is in a directory on EXO_PLUGIN_PATH.
res_have_plugin() {
  local IFS=: d
  for d in $EXO_PLUGIN_PATH; do
    [ -n "$d" ] && [ -f "$d/$1.so" ] && return 0
  done
  return 1
}
