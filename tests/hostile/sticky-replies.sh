#!/bin/bash
# Issue 18 finding 2: replies are sticky however many activities pass. web has two instances;
# A holds 20 requests at users while 20,000 new activities flow to web; every reply reaches A
# (protocol 3: the reply's via names A). Protocol 2 clients keep the old activity cache.
TIME_LIMIT=60
. "$EXO_TOP_SRCDIR/tests/hostile/hostile-lib.sh"
make_app "web:users.get:users.got,tick" "users:users.got:users.get" "feed:tick:"
start_exo_bus
# (finding 1, first step) the broker's address file is the user's alone
[ "$(stat -c %a "$A/.exo/bus.json")" = 600 ] || fail ".exo/bus.json is mode $(stat -c %a "$A/.exo/bus.json")"
$PY "$EXO_TOP_SRCDIR/tests/hostile/sticky.py" "$EP" "$TSVC" > "$T/p3" 2>&1 || fail "$(cat "$T/p3")"
echo "protocol 3: $(cat "$T/p3")"
grep -qx 'A=20 B=0 errors=0' "$T/p3" || fail "replies went astray: $(cat "$T/p3")"
# Old clients (protocol 2) are still served, sticky through the broker's cache.
$PY "$EXO_TOP_SRCDIR/tests/hostile/sticky.py" "$EP" "$TSVC" 2 > "$T/p2" 2>&1 || fail "$(cat "$T/p2")"
echo "protocol 2 (cache only): $(cat "$T/p2")"
grep -q '^A=[0-9]* B=0 errors=0' "$T/p2" || echo "note: protocol 2 clients lose replies under this flood (the cache is 16,384 slots)"
legit_request
assert_mem_below "$BUS_PID" 64 "20,000 activities"
kill "$BUS_PID"; wait "$BUS_PID"
echo ok
