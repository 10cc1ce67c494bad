# Public endpoints (application.yml services.<role>.public): a pinned host port, the same under
# exo env and exo run, its URL printed when the app is ready and kept in .exo/run.json, a
# browser-style client (curl) served at that URL; private ports stay random. A pinned port
# another program holds stops exo run before anything starts, naming the role, the port and
# the program. Bad values are located errors.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"

# A loopback port free a moment ago, for the app to pin.
free_port() {
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---- validation ----
B=$T/bad
service "$B/svc" "startup:
  command: exec sleep 600"
cat > "$B/application.yml" <<'YML'
name: public-bad
services:
  big:
    location: ./svc
    public: 70000
  first:
    location: ./svc
    public: 3000
  again:
    location: ./svc
    public: {port: 3000}
  host:
    location: ./svc
    public: {port: 3001, bind: localhost}
  wide:
    location: ./svc
    public: {port: 3002, bind: 0.0.0.0}
YML
"$EXO_BIN" check --app "$B" > "$T/check" 2>&1 && fail "exo check accepted bad public ports"
cat "$T/check"
expect_line "$T/check" 'application\.yml:5:13: error: services\.big\.public: the port must be a whole number from 1 to 65535, not .70000.'
expect_line "$T/check" 'application\.yml:11:13: error: services\.again\.public: port 3000 is already public for services\.first \(line 8\)'
expect_line "$T/check" 'application\.yml:14:32: error: services\.host\.public\.bind must be an IPv4 address'
expect_line "$T/check" 'application\.yml:17:13: warning: services\.wide\.public binds 0\.0\.0\.0: port 3002 is reachable from other machines'
pass "public ports are checked, errors located"

# ---- a public role ----
P=$(free_port)
A=$T/app
mkdir -p "$A"
cat > "$A/application.yml" <<YML
name: public-test
shutdown-grace: 1s
services:
  web:
    location: ./web
    public: $P
  api:
    location: ./api
  client:
    location: ./client
YML
# web declares no port: it listens on its public one.
service "$A/web" "startup:
  command: echo page-of-web > index.html; exec $PY -m http.server \$PORT --bind 127.0.0.1"
service "$A/api" "startup:
  command: exec $PY -m http.server \$PORT --bind 127.0.0.1
port: 9000"
service "$A/client" "startup:
  command: echo \"client sees WEB_URL=\$WEB_URL API_PORT=\$API_PORT\"; exec sleep 600"

"$EXO_BIN" env --app "$A" web > "$T/env-web" 2>&1 || { cat "$T/env-web"; fail "exo env failed"; }
cat "$T/env-web"
expect_line "$T/env-web" "^PORT=$P +# exo\$"
expect_line "$T/env-web" "^# web is public at http://127\\.0\\.0\\.1:$P \\(application\\.yml services\\.web\\.public\\)\$"
"$EXO_BIN" env --app "$A" client > "$T/env-client" 2>&1
expect_line "$T/env-client" "^WEB_URL=http://127\\.0\\.0\\.1:$P "
expect_no_line "$T/env-client" "^API_PORT=9000 "
expect_no_line "$T/env-client" 'is public at'
pass "exo env shows the pinned port"

"$EXO_BIN" run --app "$A" > "$T/out" 2>&1 &
EXO=$!
wait_for "$T/out" 'web public at http://' 20
cat "$T/out"
url=$(sed -n 's/.* web public at \(http:[^ ]*\)$/\1/p' "$T/out")
[ "$url" = "http://127.0.0.1:$P" ] || fail "printed URL '$url', want http://127.0.0.1:$P"
curl -sf "$url/index.html" > "$T/page" || fail "nothing answers at the printed URL $url"
grep -qx page-of-web "$T/page" || fail "the printed URL serves something else: $(cat "$T/page")"
expect_line "$T/out" "client \\| client sees WEB_URL=http://127\\.0\\.0\\.1:$P API_PORT=[0-9]+\$"
expect_no_line "$T/out" 'api public at'
# the private port is loopback and random, not the service's own 9000
expect_no_line "$T/out" 'API_PORT=9000$'
# the run record carries the endpoint for other commands
$PY - "$A/.exo/run.json" "$P" <<'PYEOF' || fail "run.json lacks the public endpoint"
import json, sys
rec = json.load(open(sys.argv[1]))
eps = rec.get("endpoints")
want = [{"role": "web", "url": "http://127.0.0.1:" + sys.argv[2], "port": int(sys.argv[2]),
         "bind": "127.0.0.1"}]
sys.exit(0 if eps == want else "endpoints: %r" % (eps,))
PYEOF
kill -INT $EXO
wait_exit $EXO 15
[ "$RC" = 0 ] || fail "exo run exited $RC after Ctrl-C"
expect_nothing_left
pass "exo run serves the public role at the printed URL and records it"

# ---- the pinned port is taken ----
$PY -m http.server "$P" --bind 127.0.0.1 > "$T/holder.log" 2>&1 &
HOLDER=$!
for ((i = 0; i < 100; i++)); do
  curl -s -o /dev/null "http://127.0.0.1:$P/" && break
  sleep 0.05
done
"$EXO_BIN" run --app "$A" > "$T/out2" 2>&1 &
EXO=$!
wait_exit $EXO 20
cat "$T/out2"
[ "$RC" = 1 ] || fail "exo run exited $RC with its public port taken, want 1"
expect_line "$T/out2" "web failed: port $P on 127\\.0\\.0\\.1 is in use by python3 \\(pid $HOLDER\\); stop it, or pin another port \\(application\\.yml services\\.web\\.public\\)"
# nothing of the app started
expect_no_line "$T/out2" '(web|api|client) \|'
expect_no_line "$T/out2" 'ready in'
expect_nothing_left "$HOLDER"
[ ! -e "$A/.exo/run.json" ] || fail "a failed run left its record"
kill "$HOLDER"
pass "a taken public port stops exo run before anything starts"
