#!/bin/bash
# tests/cli/plugin_trust.sh - what plugin code exo runs:
# - an app's own plugins (<app>/.exo/plugins) come with its checkout: the read-only commands
#   (env, check, clean, plugins, templates) never open them, unless --load-app; the commands
#   that run the app (setup here) do. The fixture's constructor leaves a mark when opened.
# - plugin files and directories that other users can write, or that belong to another user,
#   are refused with a warning, on every search-path directory.
. "$EXO_TOP_SRCDIR/tests/support/lib.sh"
good="$EXO_TOP_BUILDDIR/plugins/.libs"
hostile="$EXO_TOP_BUILDDIR/tests/fixtures/plugins-hostile/.libs"
fx="$EXO_TOP_BUILDDIR/tests/fixtures/plugins/.libs"
[ -f "$hostile/ctor_marker.so" ] || fail "hostile fixtures not built in $hostile"
export EXO_PLUGIN_PATH="$good"
export EXO_TEST_MARKER="$T/marker"

A="$T/app"
mkdir -p "$A/web" "$A/.exo/plugins"
cat > "$A/application.yml" <<'YML'
name: trustapp
services:
  web:
    location: ./web
YML
cat > "$A/web/service.yml" <<'YML'
startup:
  command: exec sleep 600
YML
cp "$hostile/ctor_marker.so" "$A/.exo/plugins/"

# Read-only commands, from inside the app and with --app: nothing of the app's runs.
for cmd in "env web" "check" "clean" "plugins" "plugins --json" "templates"; do
    # shellcheck disable=SC2086
    (cd "$A" && "$EXO_BIN" $cmd) >"$T/out" 2>&1
    [ -e "$T/marker" ] && fail "exo $cmd ran the app's plugin: $(cat "$T/out")"
    # shellcheck disable=SC2086
    "$EXO_BIN" $cmd --app "$A" >"$T/out" 2>&1
    [ -e "$T/marker" ] && fail "exo $cmd --app ran the app's plugin: $(cat "$T/out")"
done
# ... but exo plugins lists the file, unopened, and says how to load it.
"$EXO_BIN" plugins --app "$A" >"$T/out" 2>&1 || fail "exo plugins: $(cat "$T/out")"
grep -q "^ctor_marker .* skipped  *$A/.exo/plugins/ctor_marker.so" "$T/out" \
    || fail "app plugin not listed as skipped: $(cat "$T/out")"
grep -q "note: not loaded: an app-local plugin .* --load-app loads it here" "$T/out" \
    || fail "no note on the skipped plugin: $(cat "$T/out")"
# A manifest naming the app's plugin: exo env says why it is not there.
sed -i 's/^name: trustapp$/name: trustapp\nbackend: marker/' "$A/application.yml"
"$EXO_BIN" env --app "$A" web >"$T/out" 2>&1 && fail "exo env with an unopened backend succeeded"
grep -q "no working backend plugin named 'marker'.*--load-app opens them" "$T/out" \
    || fail "exo env does not say the app's plugins are closed: $(cat "$T/out")"
[ -e "$T/marker" ] && fail "exo env ran the app's plugin"

# Asked for, or for a command that runs the app, they load.
"$EXO_BIN" plugins --app "$A" --load-app >"$T/out" 2>&1 || fail "--load-app: $(cat "$T/out")"
grep -q "^marker  *backend .* ok  *$A/.exo/plugins/ctor_marker.so" "$T/out" \
    || fail "--load-app did not load it: $(cat "$T/out")"
[ -e "$T/marker" ] || fail "exo plugins --load-app did not open the app's plugin"
rm -f "$T/marker"
"$EXO_BIN" env --app "$A" --load-app web >"$T/out" 2>&1 || fail "env --load-app: $(cat "$T/out")"
[ -e "$T/marker" ] || fail "exo env --load-app did not open the app's plugin"
rm -f "$T/marker"
"$EXO_BIN" setup --app "$A" >"$T/out" 2>&1
[ -e "$T/marker" ] || fail "exo setup did not open the app's plugin: $(cat "$T/out")"
rm -f "$T/marker"

# Unsafe places: a directory everybody can write, a file everybody can write, group-writable
# by another group, owned by another user. Refused (listed as errors), with a warning.
mkdir -p "$T/open" "$T/file" "$T/group" "$T/owner"
cp "$hostile/ctor_marker.so" "$T/open/"
chmod 0777 "$T/open"
cp "$hostile/ctor_marker.so" "$T/file/"
chmod 0666 "$T/file/ctor_marker.so"
check_refused() { # DIR FILE TEXT
    EXO_PLUGIN_PATH="$good:$1" "$EXO_BIN" plugins >"$T/out" 2>"$T/err" || fail "plugins: $(cat "$T/err")"
    [ -e "$T/marker" ] && fail "a plugin in $1 ran: $(cat "$T/out")"
    grep -q "$3" "$T/err" || fail "no warning for $1: $(cat "$T/err")"
    grep -q " error  *$1/$2\$" "$T/out" || fail "$1/$2 not listed as an error: $(cat "$T/out")"
    grep -q "error: not loaded: .*$3" "$T/out" || fail "no reason for $1: $(cat "$T/out")"
    # Every command refuses it, not only the listing.
    (cd "$A" && EXO_PLUGIN_PATH="$good:$1" "$EXO_BIN" setup) >"$T/out" 2>&1
    [ -e "$T/marker" ] && fail "exo setup ran a plugin from $1: $(cat "$T/out")"
    grep -q "$3" "$T/out" || fail "exo setup: no warning for $1: $(cat "$T/out")"
}
sed -i '/^backend: marker$/d' "$A/application.yml"
rm -rf "$A/.exo/plugins"
check_refused "$T/open" ctor_marker.so "every user can write it (mode 0777)"
check_refused "$T/file" ctor_marker.so "every user can write it (mode 0666)"
if [ "$(id -u)" = 0 ]; then
    cp "$hostile/ctor_marker.so" "$T/group/"
    chgrp nogroup "$T/group" && chmod 0775 "$T/group"
    check_refused "$T/group" ctor_marker.so "group $(getent group nogroup | cut -d: -f3) can write it (mode 0775)"
    cp "$hostile/ctor_marker.so" "$T/owner/"
    chown nobody "$T/owner/ctor_marker.so"
    check_refused "$T/owner" ctor_marker.so "it belongs to user $(id -u nobody), neither you nor root"
fi
# A safe directory next to them still loads (the build tree's own plugins did above).
EXO_PLUGIN_PATH="$fx" "$EXO_BIN" plugins >"$T/out" 2>"$T/err" || fail "plugins: $(cat "$T/err")"
grep -q "not loaded" "$T/err" "$T/out" && fail "a safe directory was refused: $(cat "$T/err")"
echo "plugin_trust.sh: ok"
