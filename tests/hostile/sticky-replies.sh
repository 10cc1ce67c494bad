#!/bin/bash
# Issue 18 finding 2: replies are sticky however many activities pass. web has two instances;
# A holds 20 requests at users while 20,000 new activities flow to web; every reply reaches A
# (protocol 3 and later: the reply's via names A). Clients of protocol 2 and 3 can no longer
# register (they carry no credential, finding 1): tests/bus/malformed.sh checks they are told.
TIME_LIMIT=60
. "$EXO_TOP_SRCDIR/tests/hostile/hostile-lib.sh"
make_app "web:users.get:users.got,tick" "users:users.got:users.get" "feed:tick:"
start_exo_bus
# (finding 1, first step) the broker's address file is the user's alone
[ "$(stat -c %a "$A/.exo/bus.json")" = 600 ] || fail ".exo/bus.json is mode $(stat -c %a "$A/.exo/bus.json")"
$PY "$EXO_TOP_SRCDIR/tests/hostile/sticky.py" "$EP" "$TSVC" > "$T/p3" 2>&1 || fail "$(cat "$T/p3")"
echo "protocol 4: $(cat "$T/p3")"
grep -qx 'A=20 B=0 errors=0' "$T/p3" || fail "replies went astray: $(cat "$T/p3")"
legit_request
assert_mem_below "$BUS_PID" 64 "20,000 activities"
kill "$BUS_PID"; wait "$BUS_PID"
echo ok
