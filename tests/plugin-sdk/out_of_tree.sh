#!/bin/bash
# tests/plugin-sdk/out_of_tree.sh - what a third party does: install exo (here with DESTDIR into
# a scratch directory), build a plugin outside the tree with only
# `pkg-config --cflags --libs exo-plugin` and the C compiler, install it in the plugin
# directory exo-plugin.pc names, and see the installed exo load it.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() {
    [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "$*"
    echo "skip: $*"
    exit 77
}
CC=${CC:-gcc}
PY=/usr/bin/python3
command -v pkg-config >/dev/null || skip "pkg-config is not installed"
[ -x "$PY" ] || skip "no $PY"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/exo-oot.XXXXXX") || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
dest="$tmp/dest"

# The build tree is complete when tests run, so this only copies files. The parent make's
# jobserver and command-line variables stay out of it.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -C "$EXO_TOP_BUILDDIR" install \
    DESTDIR="$dest" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "make install"; }

pc=$(find "$dest" -name exo-plugin.pc -path '*/pkgconfig/*' | head -1)
[ -n "$pc" ] || fail "make install did not install exo-plugin.pc"
libdir=$(dirname "$(dirname "$pc")")
exo=$(find "$dest" -type f -name exo -path '*/bin/*' | head -1)
[ -x "$exo" ] || fail "make install did not install bin/exo"
for h in plugin backend resource transport frontend generator version; do
    find "$dest" -path "*/include/exo/$h.h" | grep -q . || fail "exo/$h.h not installed"
done
[ -d "$libdir/exo/plugins" ] || fail "plugin directory $libdir/exo/plugins not installed"

export PKG_CONFIG_PATH="$(dirname "$pc")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_SYSROOT_DIR="$dest"
flags=$(pkg-config --cflags --libs exo-plugin) || fail "pkg-config exo-plugin"
plugindir=$(pkg-config --variable=plugindir exo-plugin) || fail "pkg-config plugindir"
case "$plugindir" in "$dest"/*) ;; *) plugindir="$dest$plugindir" ;; esac
[ "$plugindir" = "$libdir/exo/plugins" ] || fail "plugindir $plugindir is not $libdir/exo/plugins"
case "$flags" in *"-I$dest"*) ;; *) fail "cflags do not point into the install: $flags" ;; esac

mkdir "$tmp/hello" && cd "$tmp/hello" || fail "cd"
cat >hello.c <<'CEOF'
#include <exo/backend.h>

static const exo_host_t *host;

static int init(const exo_host_t *h, exo_error_t *err)
{
    host = h;
    exo_log_debug(host, "hello from out of tree");
    return 0;
}

static int h_open(const exo_host_t *h, const exo_run_spec_t *run, void **inst, exo_error_t *err)
{
    *inst = NULL;
    return 0;
}

static int h_start(void *inst, const exo_unit_spec_t *spec, exo_unit_t **unit, exo_error_t *err)
{
    return exo_error_set(err, EXO_ERR_UNSUPPORTED, "hello runs nothing");
}

static int h_stop(void *inst, exo_unit_t *unit, unsigned grace_ms, exo_error_t *err)
{
    return 0;
}

static int h_kill(void *inst, exo_unit_t *unit, exo_error_t *err)
{
    return 0;
}

static void h_release(void *inst, exo_unit_t *unit)
{
}

static const char *h_unit_host(void *inst, const char *name)
{
    return "127.0.0.1";
}

static const char *h_host_address(void *inst)
{
    return "127.0.0.1";
}

static void h_close(void *inst)
{
}

static int h_cleanup(const exo_host_t *h, const char *app, const char *dir, exo_error_t *err)
{
    return 0;
}

static const exo_backend_ops_t ops = {
    .size = sizeof ops, .open = h_open, .start = h_start, .stop = h_stop, .kill = h_kill,
    .release = h_release, .unit_host = h_unit_host, .host_address = h_host_address,
    .close = h_close, .cleanup = h_cleanup,
};

EXO_BACKEND_PLUGIN("hello", "0.0.1", "built out of tree", EXO_CAP_NONE, init, NULL, &ops)
CEOF
# shellcheck disable=SC2086
$CC -std=c11 -Wall -Wextra -Wno-unused-parameter -Werror -fPIC -shared -fvisibility=hidden \
    -o backend_hello.so hello.c $flags || fail "building the plugin with: $flags"
syms=$(nm -D --defined-only backend_hello.so | awk '$2 == "T" {print $3}')
[ "$syms" = exo_plugin_describe ] || fail "exported functions are '$syms', not exo_plugin_describe"
cp backend_hello.so "$plugindir/" || fail "install into $plugindir"

# The installed exo searches its own compiled-in directory, which DESTDIR moved, so point
# EXO_PLUGIN_PATH at where the plugin landed.
cd "$tmp" || fail "cd"
EXO_PLUGIN_PATH="$plugindir" "$exo" plugins --json >out.json 2>err.txt \
    || fail "installed exo plugins --json exited $?: $(cat err.txt)"
cat >check.py <<'PYEOF'
import json, sys
d = [p for p in json.load(sys.stdin) if p["path"] == sys.argv[1]]
assert len(d) == 1, d
p = d[0]
assert (p["name"], p["kind"], p["version"], p["abi"], p["status"], p["error"]) == \
    ("hello", "backend", "0.0.1", sys.argv[2], "ok", None), p
PYEOF
abi=1.$(sed -n 's/^#define EXO_PLUGIN_ABI_MINOR //p' "$EXO_TOP_BUILDDIR/plugin-api/exo/version.h")
"$PY" check.py "$plugindir/backend_hello.so" "$abi" <out.json || fail "hello not loaded: $(cat out.json)"
EXO_PLUGIN_PATH="$plugindir" "$exo" plugins | grep -q "^hello  *backend  *0.0.1  *$abi  *ok" \
    || fail "hello missing from the table"
echo "out_of_tree.sh: plugin built with pkg-config loads in the installed exo"
