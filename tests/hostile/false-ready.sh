# Issue 17 finding 3: only a service's own units count for readiness by bus registration. An
# `exo send --as web` while the real web has not connected registers web with the user token:
# exo must not print "web ready ... (registered on the bus)" for it. web is held back by a
# gate file; the send runs (and returns) first; web may be ready only after it started.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
A=$T/app
mkdir -p "$A"
cat > "$A/application.yml" <<'YML'
name: ready-test
shutdown-grace: 1s
services:
  web:
    location: ./web
  users:
    location: ./users
YML
service "$A/web" "startup:
  command: while [ ! -e $T/gate ]; do sleep 0.05; done; echo web starting; exec $TSVC --label web
messages:
  sends: [users.get]
  receives: [users.got]"
service "$A/users" "startup:
  command: exec $TSVC --label users --reply users.get=users.got
messages:
  sends: [users.got]
  receives: [users.get]"

"$EXO_BIN" run --app "$A" > "$T/out" 2>&1 &
EXO=$!
wait_for "$T/out" 'users ready in [0-9]+ ms \(registered on the bus\)' 30
# web has not started: a transient client registers as web, sends and waits for the reply.
"$EXO_BIN" send --app "$A" --as web users.get '{}' --wait > "$T/send" 2>&1 || fail "send: $(cat "$T/send")"
grep -q '"name":"users.got"' "$T/send" || fail "send: $(cat "$T/send")"
# The broker traced that registration before it answered the send, so exo has handled it.
wait_for "$T/out" 'web  --\[ users.get \]->  users' 5
expect_no_line "$T/out" 'web ready'
expect_no_line "$T/out" 'all services ready'
# The trace says what that registration was: not one of web's own units.
expect_line "$T/out" 'web online \(instance [0-9]+, exo send \(pid [0-9]+\), user token\)'
touch "$T/gate"
wait_for "$T/out" 'all services ready \(2 services\)' 20
started=$(line_no "$T/out" 'web +\| web starting'); ready=$(line_no "$T/out" 'web ready in')
[ "$started" -gt 0 ] && [ "$ready" -gt "$started" ] || { cat "$T/out"; fail "web was ready before it started"; }
expect_line "$T/out" 'web ready in [0-9]+ ms \(registered on the bus\)'
kill -INT $EXO
wait_exit $EXO 15
[ "$RC" = 0 ] || fail "exo run exited $RC"
echo ok
