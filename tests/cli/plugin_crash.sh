#!/bin/bash
# tests/cli/plugin_crash.sh - a plugin that crashes in exo_plugin_describe() or init():
# `exo plugins` survives it and lists the file as crashed (exit 0); every other command that
# loads plugins (env, check, clean, run, test, setup, bus, send, tail) still dies, but first
# names the file and the call that crashed (the crash guard). The same for one whose init()
# calls exit(3).
. "$EXO_TOP_SRCDIR/tests/support/lib.sh"
good="$EXO_TOP_BUILDDIR/plugins/.libs"
hostile="$EXO_TOP_BUILDDIR/tests/fixtures/plugins-hostile/.libs"
[ -f "$hostile/crash_init.so" ] || fail "hostile fixtures not built in $hostile"
# Each fixture alone in a directory, after the real plugins: unprefixed names, so that every
# command opens them, even send and tail (which open transports only).
mkdir -p "$T/describe" "$T/init" "$T/exit"
cp "$hostile/crash_describe.so" "$T/describe/"
cp "$hostile/crash_init.so" "$T/init/"
cp "$hostile/exit_init.so" "$T/exit/"
declare -A call=([describe]="exo_plugin_describe()" [init]="init()")

A="$T/app"
mkdir -p "$A/web"
cat > "$A/application.yml" <<'YML'
name: crashapp
services:
  web:
    location: ./web
YML
cat > "$A/web/service.yml" <<'YML'
startup:
  command: exec sleep 600
messages:
  sends: [web.ping]
  receives: [web.ping]
YML

# exo plugins: exit 0, every file listed with where it crashed or exited, the rest as usual.
EXO_PLUGIN_PATH="$good:$T/describe:$T/init:$T/exit" "$EXO_BIN" plugins >"$T/list" \
    2>"$T/list.err" || fail "exo plugins exited $? with crashing plugins: $(cat "$T/list.err")"
grep -q "exit_init .* error  *$T/exit/exit_init.so" "$T/list" || fail "no exit row: $(cat "$T/list")"
grep -q "error: ended the process (exit status 3) in init(); a plugin must report errors" \
    "$T/list" || fail "exit: no reason: $(cat "$T/list")"
grep -q "^zmq  *transport .* ok " "$T/list" || fail "working plugins not listed: $(cat "$T/list")"
for k in describe init; do
    grep -q "crash_$k .* error  *$T/$k/crash_$k.so" "$T/list" || fail "no $k row: $(cat "$T/list")"
    grep -q "error: crashed with signal 11 (Segmentation fault) in ${call[$k]}" "$T/list" \
        || fail "$k: no crash reason: $(cat "$T/list")"
done
EXO_PLUGIN_PATH="$good:$T/describe:$T/init" "$EXO_BIN" plugins --json >"$T/list.json" \
    2>/dev/null || fail "exo plugins --json exited $?"
/usr/bin/python3 - "$T/list.json" "$T" <<'PYEOF' || fail "JSON: $(cat "$T/list.json")"
import json, sys
by = {p["path"]: p for p in json.load(open(sys.argv[1]))}
for k, call in (("describe", "exo_plugin_describe()"), ("init", "init()")):
    p = by[sys.argv[2] + "/" + k + "/crash_" + k + ".so"]
    assert p["status"] == "error" and ("crashed with signal 11" in p["error"]) \
        and (" in " + call) in p["error"], p
assert any(p["name"] == "zmq" and p["status"] == "ok" for p in by.values())
PYEOF

# expect_named K OUT RC CMD: CMD died (not 0) and said which plugin crashed where.
expect_named() {
    local k="$1" out="$2" rc="$3" what="$4"
    # 139: it still dies of the SIGSEGV (timeout passes the signal on), after the message.
    [ "$rc" -eq 139 ] || fail "$what with crash_$k.so exited $rc, not 139: $(cat "$out")"
    grep -q "^exo: error: plugin $T/$k/crash_$k.so crashed with SIGSEGV in ${call[$k]}" "$out" \
        || fail "$what did not name crash_$k.so (exit $rc): $(cat "$out")"
}

for k in describe init; do
    export EXO_PLUGIN_PATH="$good:$T/$k"
    for cmd in "env web" "check" "clean" "run" "test" "setup" "bus"; do
        # shellcheck disable=SC2086
        (cd "$A" && exec timeout 60 "$EXO_BIN" $cmd) >"$T/out" 2>&1
        expect_named "$k" "$T/out" $? "exo $cmd"
    done
done

# send and tail need a broker: one started without the crashing plugin.
EXO_PLUGIN_PATH="$good" bg "$T/bus.out" "$EXO_BIN" bus --app "$A" --listen tcp://127.0.0.1:0
wait_for "$T/bus.out" 'listening on tcp://' 30
for k in describe init; do
    export EXO_PLUGIN_PATH="$good:$T/$k"
    timeout 60 "$EXO_BIN" send --app "$A" --as web web.ping '{}' >"$T/out" 2>&1
    expect_named "$k" "$T/out" $? "exo send"
    timeout 60 "$EXO_BIN" tail --app "$A" >"$T/out" 2>&1
    expect_named "$k" "$T/out" $? "exo tail"
done
# exit() in init: the command ends with the plugin's status, but says who ended it.
export EXO_PLUGIN_PATH="$good:$T/exit"
for cmd in "env web" "check" "run"; do
    # shellcheck disable=SC2086
    (cd "$A" && exec timeout 60 "$EXO_BIN" $cmd) >"$T/out" 2>&1
    rc=$?
    [ $rc -eq 3 ] || fail "exo $cmd with exit_init.so exited $rc, not 3: $(cat "$T/out")"
    grep -q "^exo: error: plugin $T/exit/exit_init.so called exit() in init()" "$T/out" \
        || fail "exo $cmd did not name exit_init.so: $(cat "$T/out")"
done
echo "plugin_crash.sh: ok"
