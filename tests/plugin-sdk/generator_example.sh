#!/bin/bash
# tests/plugin-sdk/generator_example.sh - the third-party generator path, as for resources
# (tests/resources/out_of_tree.sh): install exo (DESTDIR into a scratch directory), build
# examples/plugins/overview outside the tree with its own Makefile and only
# `pkg-config exo-plugin`, install it into a directory on EXO_PLUGIN_PATH, see exo list it as
# ok, then `exo generate overview` on the todo example: the page describes the services and
# resources, holds no secret value, and --check sees it current, then stale after a change.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
exo=${EXO_BIN:?EXO_BIN not set}
: "${EXO_TOP_SRCDIR:?run this through make check}" "${EXO_TOP_BUILDDIR:?}"
command -v pkg-config >/dev/null || {
    [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "pkg-config is not installed"
    echo "skip: pkg-config is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exo-genex.XXXXXX") || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest

# The build tree is complete when tests run, so this only copies files; keep the parent
# make's jobserver and variables out of it.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -C "$EXO_TOP_BUILDDIR" install \
    DESTDIR="$dest" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "make install"; }
pc=$(find "$dest" -name exo-plugin.pc -path '*/pkgconfig/*' | head -1)
[ -n "$pc" ] || fail "exo-plugin.pc is not installed"
[ -n "$(find "$dest" -path '*/include/exo/generator.h')" ] || fail "exo/generator.h is not installed"

# Build the example from a copy: nothing of the source tree is reachable from there.
cp -r "$EXO_TOP_SRCDIR/examples/plugins/overview" "$tmp/overview"
chmod -R u+w "$tmp/overview" # distcheck's source tree is read-only
plugins=$tmp/plugins
PKG_CONFIG_PATH="$(dirname "$pc")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" PKG_CONFIG_SYSROOT_DIR="$dest" \
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -C "$tmp/overview" install \
    PLUGINDIR="$plugins" CFLAGS="-O2 -Werror" >"$tmp/build.log" 2>&1 ||
    { cat "$tmp/build.log"; fail "the example does not build with its own Makefile"; }
grep -q -- "-I$dest" "$tmp/build.log" || fail "not compiled against the installed headers"
syms=$(nm -D --defined-only "$plugins/generator_overview.so" | awk '$2 == "T" {print $3}')
[ "$syms" = exo_plugin_describe ] || fail "exports more than exo_plugin_describe: $syms"

export EXO_PLUGIN_PATH="$plugins:${EXO_PLUGIN_PATH:-}"
"$exo" plugins | grep -q "^overview  *generator  *1.0.0 .* ok " ||
    fail "overview is not listed as ok: $("$exo" plugins)"

app=$tmp/todo
cp -r "$EXO_TOP_SRCDIR/examples/todo" "$app"
rm -rf "$app/.exo" "$app/deploy"
sed -i 's/^services:$/env:\n  API_TOKEN: {secret: hush-hush}\n  LOG_LEVEL: info\nservices:/' \
    "$app/application.yml"
sed -i 's/^  stats:$/  stats:\n    instances: 2/' "$app/application.yml"
page=$app/deploy/overview/overview.md
(cd "$app" && "$exo" generate overview) >"$tmp/out" 2>&1 || fail "generate overview: $(cat "$tmp/out")"
[ "$(stat -c %a "$page")" = 644 ] || fail "overview.md is not 0644"
for want in '^# App todo 1.0.0$' '^### todos$' "^- command: \`./store\`$" \
            '^- replicas: 2; ready: auto$' "^- receives: \`todo.created\`, \`stats.get\`$" \
            "^| \`LOG_LEVEL\` | \`info\` |$" "^| \`API_TOKEN\` | (secret) |$"; do
    grep -q -- "$want" "$page" || fail "overview.md lacks $want: $(cat "$page")"
done
grep -q hush "$page" && fail "a secret value is in overview.md"
(cd "$app" && "$exo" generate overview --check) >"$tmp/out" 2>&1 || fail "--check: $(cat "$tmp/out")"
sed -i 's|exec /usr/bin/python3 stats.py|exec /usr/bin/python3 -u stats.py|' "$app/stats/service.yml"
(cd "$app" && "$exo" generate overview --check) >"$tmp/out" 2>&1 && fail "--check misses a change"
grep -qx "$page: differs" "$tmp/out" || fail "--check does not name overview.md: $(cat "$tmp/out")"
echo "ok"
