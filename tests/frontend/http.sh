#!/bin/bash
# tests/frontend/http.sh - the http frontend (plugins/frontend-http) under a real `exo run`,
# with the real broker and a real Python service on libexoservice, driven by curl: every
# status of docs/frontends.md ("The http frontend"), keep-alive sockets that never mix
# answers, static files (content types, ETag/304, Last-Modified/304, index.html, HEAD), path
# escapes in each form refused without leaking the file, and oversized bodies refused while
# the frontend's memory stays flat; bad settings, and the broker gone (503 unavailable).
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/frontend/lib.sh"
export EXO_PYTHON_DIR=$EXO_TOP_SRCDIR/plugins/transport-zmq/python
command -v curl >/dev/null || fail "curl is needed (bootstrap.sh installs it)"

P=$(free_port)
Q=$(free_port)
A=$T/app
mkdir -p "$A/web/public/css" "$A/web/public/docs"
cat >"$A/application.yml" <<EOF
name: fehttp
services:
  calc:
    location: calc
frontends:
  api:
    type: http
    public: $P
    static: web/public
    sends: [calc.add, calc.slow, calc.nobody]
    receives: [calc.sum]
    depends-on: [calc]
    request-timeout: 500ms
    max-message-size: 1KiB
    rate: 3
  secure:
    type: http
    public: $Q
    prefix: /rpc
    sends: [calc.add, session.check]
    receives: [calc.sum, session.user]
    depends-on: [calc]
    auth: {ask: session.check}
EOF
service "$A/calc" "startup: {command: $PY -u svc.py, online-text: calc online}
messages: {receives: [calc.add, calc.slow, session.check], sends: [calc.sum, session.user]}"
cat >"$A/calc/svc.py" <<'EOF'
import exo_service
svc = exo_service.Service()
def add(m):
    svc.reply(m, "calc.sum", {"sum": m.payload["a"] + m.payload["b"], "auth": m.auth})
svc.on("calc.add", add)
svc.on("calc.slow", lambda m: None)  # never answers: the frontend's timeout does
def check(m):
    ok = m.payload.get("credential") == "good-token"
    svc.reply(m, "session.user", {"user": "alice"} if ok else {"nope": True})
svc.on("session.check", check)
print("calc online", flush=True)
svc.run()
EOF
printf '<!doctype html><title>t</title><h1>home</h1>\n' >"$A/web/public/index.html"
printf 'export const x = 1;\n' >"$A/web/public/app.js"
printf 'body { color: red; }\n' >"$A/web/public/css/site.css"
printf '{"k": 1}\n' >"$A/web/public/data.json"
printf '<svg xmlns="http://www.w3.org/2000/svg"/>\n' >"$A/web/public/logo.svg"
printf '<p>docs</p>\n' >"$A/web/public/docs/index.html"
printf 'SECRET=top-secret-value\n' >"$A/web/public/.env"
printf 'top-secret-outside\n' >"$A/secret.txt"
ln -s ../../secret.txt "$A/web/public/leak.txt"
ln -s ../.. "$A/web/public/up"

(cd "$A" && exec "$EXO_BIN" run) >"$T/run.out" 2>&1 &
RUN=$!
wait_for "$T/run.out" 'all services ready \(1 service, 2 frontends\)' 60
expect_line "$T/run.out" "api public at http://127\.0\.0\.1:$P/?\$"
U=http://127.0.0.1:$P
V=http://127.0.0.1:$Q

# req NAME CURL-ARGS...: status into $T/NAME.code, headers into $T/NAME.h, body $T/NAME.b
req() {
    local n=$1; shift
    curl -s -o "$T/$n.b" -D "$T/$n.h" -w '%{http_code}' "$@" >"$T/$n.code" || true
}
# expect NAME STATUS [BODY-REGEX]
expect() {
    local got; got=$(cat "$T/$1.code")
    [ "$got" = "$2" ] || { cat "$T/$1.h" "$T/$1.b" >&2; fail "$1: status $got, wanted $2"; }
    [ -z "${3:-}" ] || grep -qE -- "$3" "$T/$1.b" || { cat "$T/$1.b" >&2; fail "$1: body not /$3/"; }
}
json_error() { echo "^\\{\"error\":\"$1\",\"message\":\".+\"\\}\$"; }
header() { tr -d '\r' <"$T/$1.h" | awk -v k="$2" 'BEGIN{IGNORECASE=1} index(tolower($0), tolower(k) ": ")==1 {print substr($0, length(k)+3)}'; }

# ---- messages ----
req ok -X POST -H 'Content-Type: application/json' -d '{"a": 2, "b": 3}' "$U/api/calc.add"
expect ok 200 '^\{"sum": ?5, ?"auth": ?null\}$'
[ "$(header ok x-exo-message)" = calc.sum ] || fail "X-Exo-Message: $(header ok x-exo-message)"
header ok content-type | grep -q '^application/json' || fail "reply content type"
pass "POST /api/calc.add answers 200 with the reply's payload and X-Exo-Message"

req malformed -X POST -d '{"a": 2,' "$U/api/calc.add"
expect malformed 400 "$(json_error bad-request)"
grep -q 'not JSON' "$T/malformed.b" || fail "400 does not say why"
req badname -X POST -d '{}' "$U/api/calc..add"
expect badname 400 "$(json_error bad-request)"
pass "malformed JSON and a malformed name: 400 with a JSON error"

req denied -X POST -d '{}' "$U/api/calc.secret"
expect denied 403 "$(json_error denied)"
req noreceiver -X POST -d '{}' "$U/api/calc.nobody"
expect noreceiver 503 "$(json_error no-receiver)"
req timeout -X POST -d '{}' "$U/api/calc.slow"
expect timeout 504 "$(json_error timeout)"
pass "denied 403, no receiver 503, timeout 504"

head -c 2000 /dev/zero | tr '\0' x | sed 's/.*/{"a": "&"}/' >"$T/big.json"
req toolarge -X POST --data-binary @"$T/big.json" "$U/api/calc.add"
expect toolarge 413 "$(json_error too-large)"
req chunked -X POST -H 'Transfer-Encoding: chunked' -d '{"a": 1, "b": 1}' "$U/api/calc.add"
expect chunked 411 "$(json_error length-required)"
pass "a body over max-message-size: 413; a chunked body: 411"

req put -X PUT -d '{}' "$U/api/calc.add"
expect put 405 "$(json_error method-not-allowed)"
[ "$(header put allow)" = POST ] || fail "405 without Allow: POST"
req getmsg "$U/api/calc.add"
expect getmsg 405 "$(json_error method-not-allowed)"
req delstatic -X DELETE "$U/index.html"
expect delstatic 405 "$(json_error method-not-allowed)"
req nothere "$U/no/such/page"
expect nothere 404 "$(json_error not-found)"
req postnothere -X POST -d '{}' "$U/elsewhere"
expect postnothere 404 "$(json_error not-found)"
pass "other methods 405 (with Allow), unknown paths 404"

# The rate limit is per client socket: 8 messages on one keep-alive socket at rate 3.
args=()
for i in 1 2 3 4 5 6 7 8; do args+=(-X POST -d "{\"a\": $i, \"b\": 0}" "$U/api/calc.add" -w '\n%{http_code}\n' -:); done
curl -s "${args[@]::${#args[@]}-1}" >"$T/rate.out"
grep -qx 429 "$T/rate.out" || { cat "$T/rate.out"; fail "no 429 among 8 quick messages at rate 3"; }
grep -q '"error":"rate-limited"' "$T/rate.out" || fail "429 without its JSON error"
grep -qE '\{"sum": ?1,' "$T/rate.out" || fail "the first message of the burst was not answered"
pass "more than rate messages per second on one socket: 429 with a JSON error"

# Keep-alive: one socket, answers in order, each to its own request.
sleep 1.1 # the bucket refills (rate 3/s)
curl -sv -X POST -d '{"a": 10, "b": 1}' "$U/api/calc.add" -: -X POST -d '{"a": 20, "b": 2}' \
    "$U/api/calc.add" -: "$U/app.js" -: -X POST -d '{"a": 1}' "$U/api/calc.secret" \
    >"$T/ka.out" 2>"$T/ka.err"
[ "$(grep -c 'Re-using existing connection' "$T/ka.err")" -ge 3 ] || { cat "$T/ka.err"; fail "curl did not keep the socket"; }
$PY - "$T/ka.out" <<'EOF' || fail "keep-alive answers mixed: $(cat "$T/ka.out")"
import sys
s = open(sys.argv[1]).read()
i, j = s.replace(' ', '').index('"sum":11'), s.replace(' ', '').index('"sum":22')
k, l = s.replace(' ', '').index('exportconstx=1;'), s.replace(' ', '').index('"error":"denied"')
sys.exit(0 if i < j < k < l else 1)
EOF
pass "keep-alive: four requests on one socket, each answered with its own reply"

# ---- auth: {ask: session.check} ----
req noauth -X POST -d '{"a": 1, "b": 1}' "$V/rpc/calc.add"
expect noauth 401 "$(json_error not-authorised)"
req badauth -X POST -H 'Authorization: Bearer wrong' -d '{"a": 1, "b": 1}' "$V/rpc/calc.add"
expect badauth 401 "$(json_error not-authorised)"
req bearer -X POST -H 'Authorization: Bearer good-token' -d '{"a": 1, "b": 1}' "$V/rpc/calc.add"
expect bearer 200 '"auth": ?\{"user": ?"alice"\}'
req cookie -X POST -b 'theme=dark; exo_session=good-token' -d '{"a": 1, "b": 2}' "$V/rpc/calc.add"
expect cookie 200 '^\{"sum": ?3, ?"auth": ?\{"user": ?"alice"\}\}$'
req secstatic "$V/"
expect secstatic 404 "$(json_error not-found)"
pass "auth ask: no or a wrong credential 401; Bearer and the exo_session cookie reach the service as auth.user"

# ---- static files ----
check_type() { req "t$2" "$U/$1"; expect "t$2" 200; [ "$(header "t$2" content-type)" = "$3" ] || fail "$1: content type $(header "t$2" content-type), wanted $3"; }
check_type "" root 'text/html; charset=utf-8'
grep -q '<h1>home</h1>' "$T/troot.b" || fail "/ is not index.html"
check_type app.js js 'text/javascript; charset=utf-8'
check_type css/site.css css 'text/css; charset=utf-8'
check_type data.json json 'application/json'
check_type logo.svg svg 'image/svg+xml'
check_type docs/ docs 'text/html; charset=utf-8'
grep -q docs "$T/tdocs.b" || fail "/docs/ is not docs/index.html"
# HEAD: the headers of GET and no body; the next request on the same socket proves none came.
curl -sv -I "$U/app.js" -: "$U/data.json" >"$T/head.out" 2>"$T/head.err"
tr -d '\r' <"$T/head.out" | grep -qix 'content-length: 20' || fail "HEAD: $(cat "$T/head.out")"
grep -q 'Re-using existing connection' "$T/head.err" || fail "HEAD: the socket was not kept"
tail -1 "$T/head.out" | grep -qx '{"k": 1}' || fail "HEAD sent a body: $(cat "$T/head.out")"
pass "static files with their content types, index.html for / and directories, HEAD"

ETAG=$(header tjs etag); LM=$(header tjs last-modified)
[ -n "$ETAG" ] && [ -n "$LM" ] || fail "no ETag or Last-Modified: $(cat "$T/tjs.h")"
req inm -H "If-None-Match: $ETAG" "$U/app.js"; expect inm 304
[ ! -s "$T/inm.b" ] || fail "304 with a body"
req inm2 -H "If-None-Match: \"other\", $ETAG" "$U/app.js"; expect inm2 304
req inmx -H 'If-None-Match: "other"' "$U/app.js"; expect inmx 200
req ims -H "If-Modified-Since: $LM" "$U/app.js"; expect ims 304
req imsold -H 'If-Modified-Since: Thu, 01 Jan 1998 00:00:00 GMT' "$U/app.js"; expect imsold 200
touch -d '+2 seconds' "$A/web/public/app.js"
req changed -H "If-None-Match: $ETAG" "$U/app.js"; expect changed 200
[ "$(header changed etag)" != "$ETAG" ] || fail "the ETag did not change with the file"
pass "ETag and Last-Modified: 304 when current, 200 when not or changed"

# ---- path escapes: refused, logged, never the file ----
for p in '/../secret.txt' '/%2e%2e/secret.txt' '/%2E%2E/%2e%2e/secret.txt' '/css/..%2f..%2fsecret.txt' \
         '/css/%2e%2e/%2e%2e/secret.txt' '/leak.txt' '/up/secret.txt' '/up/application.yml' \
         '/.env' '/%2eenv' '/app.js%00.html' '/..%5csecret.txt' '//..//..//secret.txt'; do
    code=$(curl -s --path-as-is -o "$T/esc.b" -w '%{http_code}' "$U$p" || true)
    case "$code" in 403|404|400|000) ;; *) fail "$p: status $code" ;; esac
    ! grep -q 'top-secret' "$T/esc.b" || fail "$p leaked a file outside the static directory"
    ! grep -q 'name: fehttp' "$T/esc.b" || fail "$p leaked application.yml"
done
req leak --path-as-is "$U/leak.txt"
expect leak 403 "$(json_error forbidden)"
expect_line "$T/run.out" 'refused /leak\.txt from 127\.0\.0\.1:[0-9]+: a symlink leading out'
expect_line "$T/run.out" 'not found: /secret\.txt from 127\.0\.0\.1'
req alive "$U/app.js"; expect alive 200
pass "path escapes (.., %2e%2e, ..%2f, symlinks out, hidden files, NUL, backslash) refused and logged"

# ---- oversized bodies: refused without the frontend growing ----
FE=$(ps -o pid= -o args= --ppid "$RUN" | awk '$3 == "frontend" && $4 == "api" {print $1}')
[ -n "$FE" ] || { ps -o pid,args --ppid "$RUN" >&2; fail "no exo frontend api under exo run"; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$FE/status"; }
head -c 8000000 /dev/zero | tr '\0' x >"$T/huge"
curl -s -o /dev/null -X POST --data-binary @"$T/huge" "$U/api/calc.add" || true # warm up
BEFORE=$(rss)
for i in $(seq 10); do
    c1=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @"$T/huge" "$U/api/calc.add" || true)
    c2=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Expect:' --data-binary @"$T/huge" "$U/api/calc.add" || true)
    case "$c1$c2" in *[1-35-9]??*) ;; esac
    [ "$c1" = 413 ] || [ "$c1" = 000 ] || fail "8 MB body: status $c1"
    [ "$c2" = 413 ] || [ "$c2" = 000 ] || fail "8 MB body without Expect: status $c2"
done
AFTER=$(rss)
[ $((AFTER - BEFORE)) -lt 2048 ] || fail "the frontend grew from $BEFORE kB to $AFTER kB on 160 MB of refused bodies"
req after -X POST -d '{"a": 1, "b": 1}' "$U/api/calc.add"; expect after 200
pass "20 bodies of 8 MB refused (413) while the frontend's RSS stays at ${AFTER} kB (was ${BEFORE} kB)"

kill -TERM "$RUN"
wait_exit "$RUN" 15
[ "$RC" = 0 ] || fail "exo run: exit $RC after SIGTERM"
expect_nothing_left
pass "exo run stops the http frontends"

# Bad settings: `exo frontend ROLE` (as exo run starts it) exits 1 naming the key and value.
cat >>"$A/application.yml" <<'EOF'
  nostatic:
    type: http
    static: web/nope
    sends: [calc.add]
  badprefix:
    type: http
    prefix: api
    sends: [calc.add]
  appdir:
    type: http
    static: web/..
    sends: [calc.add]
EOF
(cd "$A" && exec "$EXO_BIN" bus) >"$T/bus.out" 2>&1 &
BUS=$!
for _ in $(seq 100); do [ -f "$A/.exo/bus.json" ] && break; sleep 0.05; done
[ -f "$A/.exo/bus.json" ] || fail "exo bus did not start"
bad() { # ROLE EXPECTED-REGEX
    (cd "$A" && EXO_FRONTEND_LISTEN=127.0.0.1:$(free_port) "$EXO_BIN" frontend "$1") >"$T/o" 2>"$T/e"
    local rc=$?
    [ $rc = 1 ] || { cat "$T/e"; fail "$1: exit $rc, not 1"; }
    expect_line "$T/e" "$2"
}
bad nostatic "frontend nostatic .*static: 'web/nope' \\($A/web/nope\\) is not a directory: create it or fix the path"
bad badprefix "frontend badprefix .*prefix 'api' is not a URL path such as /api"
bad appdir "frontend appdir .*static: 'web/\.\.' would serve the app's own directory \(application\.yml"
pass "a missing static directory, the app's own directory as static, a prefix without its slash: exit 1 naming them"

# The broker gone: a message is answered 503 unavailable (the frontend stays up).
PA=$(free_port)
(cd "$A" && EXO_FRONTEND_LISTEN=127.0.0.1:$PA exec "$EXO_BIN" frontend api) >"$T/fe.out" 2>"$T/fe.err" &
FE=$!
for _ in $(seq 300); do grep -q "^api online at http://127\.0\.0\.1:$PA/\$" "$T/fe.out" && break; sleep 0.05; done
grep -q "^api online at" "$T/fe.out" || { cat "$T/fe.out" "$T/fe.err" "$T/bus.out" >&2; fail "exo frontend api did not come online"; }
kill -TERM "$BUS"
wait_exit "$BUS" 10
for _ in $(seq 300); do
    req gone -X POST -d '{"a": 1, "b": 1}' "http://127.0.0.1:$PA/api/calc.add"
    [ "$(cat "$T/gone.code")" = 503 ] && break
    sleep 0.05
done
expect gone 503 "$(json_error unavailable)"
req gonestatic "http://127.0.0.1:$PA/app.js"; expect gonestatic 200
kill -TERM "$FE"
wait_exit "$FE" 10
[ "$RC" = 0 ] || fail "exo frontend api: exit $RC after SIGTERM"
pass "the broker gone: 503 unavailable with a JSON error, static files still served"


