#!/bin/bash
# The third-party resource path: install exo (DESTDIR into a scratch directory), build
# examples/plugins/memcached outside the tree with its own Makefile and only
# `pkg-config exo-plugin`, install it into a directory on EXO_PLUGIN_PATH, see exo list it as
# ok, then run it as a resource and use it through the variables it emits.
: "${EXO_TOP_SRCDIR:?run this through make check}"
. "$EXO_TOP_SRCDIR/tests/resources/common.sh"
command -v pkg-config >/dev/null || res_skip "pkg-config is not installed"
[ -x /usr/bin/memcached ] || res_skip "package memcached not installed"
res_init oot
dest="$WORK/dest"

# The build tree is complete when tests run, so this only copies files; keep the parent
# make's jobserver and variables out of it.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -C "$EXO_TOP_BUILDDIR" install \
  DESTDIR="$dest" >"$WORK/install.log" 2>&1 || { cat "$WORK/install.log"; not_ok "make install"; res_finish; exit 1; }
pc=$(find "$dest" -name exo-plugin.pc -path '*/pkgconfig/*' | head -1)
check "exo-plugin.pc installed" test -n "$pc"
exo=$(find "$dest" -type f -name exo -path '*/bin/*' | head -1)
check "resource.h installed as exo/resource.h" test -n "$(find "$dest" -path '*/include/exo/resource.h')"

# Build the example from a copy: nothing of the source tree is reachable from there.
cp -r "$EXO_TOP_SRCDIR/examples/plugins/memcached" "$WORK/memcached"
chmod -R u+w "$WORK/memcached" # distcheck's source tree is read-only
export PKG_CONFIG_PATH="$(dirname "$pc")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_SYSROOT_DIR="$dest"
plugins="$WORK/plugins"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -C "$WORK/memcached" install \
  PLUGINDIR="$plugins" CFLAGS="-O2 -Werror" >"$WORK/build.log" 2>&1
rc=$?; [ "$rc" = 0 ] || cat "$WORK/build.log"
check_eq "example builds and installs with its own Makefile" 0 "$rc"
grep -q -- "-I$dest" "$WORK/build.log"
check_eq "compiled against the installed headers" 0 "$?"
syms=$(nm -D --defined-only "$plugins/resource_memcached.so" 2>/dev/null | awk '$2 == "T" {print $3}')
check_eq "exports only exo_plugin_describe" exo_plugin_describe "$syms"

# exo lists it. `exo plugins` comes with the plugin loader; until then reshost (the resource
# test driver) stands in for the listing.
export EXO_PLUGIN_PATH="$plugins:$EXO_PLUGIN_PATH"
if [ -n "$exo" ] && "$exo" plugins --json >"$WORK/plugins.json" 2>"$WORK/plugins.err"; then
  cat >"$WORK/check.py" <<'PY'
import json, sys
d = [p for p in json.load(sys.stdin) if p["path"] == sys.argv[1]]
assert len(d) == 1, d
p = d[0]
assert (p["name"], p["kind"], p["version"], p["status"]) == \
    ("memcached", "resource", "1.0.0", "ok"), p
PY
  /usr/bin/python3 "$WORK/check.py" "$plugins/resource_memcached.so" <"$WORK/plugins.json"
  check_eq "exo plugins --json lists memcached as an ok resource plugin" 0 "$?"
else
  echo "note: this exo has no 'plugins' command yet; listing through reshost"
  check_contains "memcached found on EXO_PLUGIN_PATH" "memcached 1.0.0 $plugins/resource_memcached.so" \
    "$("$RESHOST" list)"
fi

# Use it as a resource: a "service" stores and reads a value through the emitted variables.
got=$("$RESHOST" --app-dir "$WORK" --resource sessions:memcached \
  --config 'sessions={"type":"memcached","memory":16}' run bash -c '
  [ "$SESSIONS_SERVERS" = "$SESSIONS_HOST:$SESSIONS_PORT" ] || exit 9
  exec 3<>"/dev/tcp/$SESSIONS_HOST/$SESSIONS_PORT"
  printf "set greeting 0 0 5\r\nhello\r\nget greeting\r\nquit\r\n" >&3
  tr -d "\r" <&3 | paste -sd" "' 2>"$WORK/run.err")
check_eq "service stores and reads through the memcached resource" \
  "STORED VALUE greeting 0 5 hello END" "$got"
err=$("$RESHOST" --app-dir "$WORK" --resource m:memcached --config 'm={"memory":"lots"}' \
  run true 2>&1)
check_contains "bad config is reported by the plugin" "'memory' must be a positive number" "$err"

check "no server left running" test -z "$(pgrep -f "$WORK" || true)"
res_finish
