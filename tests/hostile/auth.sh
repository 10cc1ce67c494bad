# Issue 18 finding 1: no one registers on the bus who does not belong. Under `exo run`, a
# client run as ANOTHER LOCAL USER (exo-rogue, created when missing) cannot read
# .exo/bus.json; registering as a role without a credential, with a wrong one or with another
# role's secret is refused and nothing it sends is delivered; a client that chooses its
# ZeroMQ routing id is refused even with a valid token; the control socket refuses stats and
# tail without the user token. The real services answer throughout; each unit's secret is
# masked in exo's output.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
skip_or_fail() {  # as tests/support/lib.sh does
  if [ -n "${EXO_TEST_REQUIRE_ALL:-}" ]; then fail "required: $*"; fi
  echo "SKIP: $*" >&2; exit 77
}
RAW="$EXO_TOP_SRCDIR/tests/hostile/rawclient.py"
$PY -c 'import zmq' 2>/dev/null || skip_or_fail "/usr/bin/python3 with zmq (python3-zmq)"
ROGUE=exo-rogue
if [ "$(id -u)" = 0 ]; then
  id "$ROGUE" >/dev/null 2>&1 ||
    useradd --system --no-create-home --shell /usr/sbin/nologin "$ROGUE" ||
    fail "cannot create the local user $ROGUE"
else
  skip_or_fail "root, to run a client as another local user ($ROGUE)"
fi
as_rogue() { setpriv --reuid="$ROGUE" --regid="$ROGUE" --init-groups "$@"; }

# The scratch directories are open to others: only .exo itself may protect what is inside.
chmod 755 "$T"
A=$T/app
mkdir -p "$A" "$T/secrets"
chmod 755 "$A"
chmod 700 "$T/secrets"
cat > "$A/application.yml" <<'YML'
name: auth-test
shutdown-grace: 1s
services:
  web:
    location: ./web
    ready: started
  users:
    location: ./users
  admin:
    location: ./admin
YML
service "$A/web" "startup:
  command: exec sleep 600
messages:
  sends: [users.get, admin.reset]
  receives: [users.got]"
# Each unit keeps its secret where the test (root) can read it, and admin prints its own.
service "$A/users" "startup:
  command: printf '%s' \"\$EXO_BUS_TOKEN\" > $T/secrets/users; exec $TSVC --label real --reply users.get=users.got
messages:
  sends: [users.got]
  receives: [users.get]"
service "$A/admin" "startup:
  command: printf '%s' \"\$EXO_BUS_TOKEN\" > $T/secrets/admin; echo \"admin token \$EXO_BUS_TOKEN\"; exec $TSVC --label admin
messages:
  receives: [admin.reset]"

"$EXO_BIN" run --app "$A" > "$T/out" 2>&1 &
EXO=$!
wait_for "$T/out" 'all services ready \(3 services\)' 30
EP=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["endpoint"])' "$A/.exo/bus.json")
CTL=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["control"])' "$A/.exo/bus.json")
TOKEN=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$A/.exo/bus.json")
USERS_SECRET=$(cat "$T/secrets/users"); ADMIN_SECRET=$(cat "$T/secrets/admin")
[ ${#USERS_SECRET} = 64 ] && [ ${#ADMIN_SECRET} = 64 ] || fail "units got no secret"
[ "$USERS_SECRET" != "$ADMIN_SECRET" ] && [ "$USERS_SECRET" != "$TOKEN" ] || fail "secrets are shared"

legit() {  # a real request, answered by the real users
  "$EXO_BIN" send --app "$A" --as web users.get "{\"n\": $1}" --wait > "$T/legit" 2>&1 ||
    fail "legitimate request $1: $(cat "$T/legit")"
  grep -q '"by":"real"' "$T/legit" || fail "request $1 not answered by the real users: $(cat "$T/legit")"
}
legit 1

# bus.json is the user's alone (.exo is 0711: others may pass, not list; docs/security.md).
case "$(stat -c %a "$A/.exo")" in 700|711) ;; *) fail ".exo is mode $(stat -c %a "$A/.exo")" ;; esac
[ "$(stat -c %a "$A/.exo/bus.json")" = 600 ] || fail "bus.json is mode $(stat -c %a "$A/.exo/bus.json")"
as_rogue cat "$A/.exo/bus.json" > "$T/r.cat" 2>&1 && fail "$ROGUE read bus.json"
grep -q 'Permission denied' "$T/r.cat" || fail "$(cat "$T/r.cat")"

# rogue ROLE CRED NAME [ID]: a DEALER run as exo-rogue; expect it refused, nothing received.
rogue() {
  as_rogue $PY "$RAW" rogue "$EP" "$@" > "$T/r.out" 2>&1 || fail "rogue client: $(cat "$T/r.out")"
  echo "rogue as $1 (${2:0:8}): $(head -1 "$T/r.out")"
  grep -q '^refused not-authorised: not authorised to register as '"$1"': ' "$T/r.out" ||
    fail "rogue as $1 was not refused: $(cat "$T/r.out")"
  grep -qx 'received 0' "$T/r.out" || fail "rogue as $1 received messages: $(cat "$T/r.out")"
}
rogue admin - admin.reset
rogue web - admin.reset
rogue web "$(printf '0%.0s' $(seq 64))" admin.reset
rogue web "$USERS_SECRET" admin.reset        # another role's secret
rogue users "$ADMIN_SECRET" users.got
rogue users "${USERS_SECRET}0" users.got     # one digit too many
rogue users "$TOKEN" users.got users-hijack  # a chosen routing id, even with the token
grep -q 'a client may not choose its ZeroMQ routing id' "$T/r.out" || fail "$(cat "$T/r.out")"
legit 2

# The control socket: nothing without the token (as exo-rogue and as anyone).
for req in stats tail "stats 0123" "tail $ADMIN_SECRET"; do
  as_rogue $PY "$RAW" control "$CTL" "$req" > "$T/c.out" 2>&1
  grep -q '^error: not authorised' "$T/c.out" || fail "control '$req' was not refused: $(cat "$T/c.out")"
done
$PY "$RAW" control "$CTL" "stats $TOKEN" > "$T/c.out" 2>&1
grep -q '"auth_refused"' "$T/c.out" || fail "stats with the token: $(cat "$T/c.out")"

# Nothing a rogue sent was delivered; the refusals were counted and said.
legit 3
"$EXO_BIN" send --app "$A" --as web admin.reset '{"legit": true}' > "$T/s" 2>&1 || fail "$(cat "$T/s")"
wait_for "$T/out" 'admin +\| got admin.reset from web .*"legit":true' 10
expect_no_line "$T/out" 'rogue'
expect_line "$T/out" "refused a registration as 'web': no credential"
expect_line "$T/out" "refused a registration as 'users': wrong credential"
expect_line "$T/out" 'refused a control request without the user token'
# The units' secrets are masked like every secret of the app.
expect_line "$T/out" 'admin +\| admin token \*+'
expect_no_line "$T/out" "$ADMIN_SECRET"
expect_no_line "$A/.exo/logs/admin.log" "$ADMIN_SECRET"
kill -INT $EXO
wait_exit $EXO 15
[ "$RC" = 0 ] || fail "exo run exited $RC"
echo ok
