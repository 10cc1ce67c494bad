#!/bin/bash
# The websocket frontend with an access token (frontend ABI 1.2, exo run's dashboard): it
# serves only under /TOKEN/ (files, exo.js, the WebSocket) and answers 403 everywhere else,
# whatever the path tries: no prefix, a wrong, shorter or longer token, the token without its
# slash, encoded slashes, dot segments, a WebSocket upgrade at /exo or /WRONG/exo. The plugin
# runs alone under wsserve (a stub core): what is tested is what the plugin answers.
. "$EXO_TOP_SRCDIR/tests/support/lib.sh"
PLUGIN=$EXO_PLUGIN_PATH/frontend_websocket.so
WSSERVE=$EXO_TOP_BUILDDIR/plugins/frontend-websocket/tests/wsserve
[ -f "$PLUGIN" ] && [ -x "$WSSERVE" ] || skip_or_fail "the websocket plugin (libwebsockets-dev)"
command -v python3 > /dev/null || skip_or_fail "python3"

TOK=0123456789abcdef0123456789abcdef
mkdir -p "$T/app/public/sub"
echo '<h1>dashboard</h1>' > "$T/app/public/index.html"
echo 'body{}' > "$T/app/public/sub/app.css"
echo 'NOT-FOR-BROWSERS' > "$T/app/secret.txt"   # beside the static directory, never served
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
bg "$T/serve.out" "$WSSERVE" "$PLUGIN" "127.0.0.1:$PORT" "$TOK" "$T/app/public"
wait_for "$T/serve.out" "listening at http://127.0.0.1:$PORT/"

# req PATH [upgrade]: "STATUS BODY" of a GET of PATH sent byte for byte as written (no client
# normalises it), or of a WebSocket upgrade there (status 101 when accepted).
req() {
  python3 - "$PORT" "$1" "${2:-}" <<'PYEOF'
import socket, sys
port, path, upgrade = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "upgrade"
s = socket.create_connection(("127.0.0.1", port), timeout=10)
head = "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % (path, port)
if upgrade:
    head += ("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: exo.v1\r\n")
else:
    head += "Connection: close\r\n"
s.sendall((head + "\r\n").encode())
data = b""
while True:  # a plain GET: to the end (Connection: close); an upgrade: its answer's head
    try:
        chunk = s.recv(65536)
    except (ConnectionResetError, socket.timeout):
        break
    if not chunk:
        break
    data += chunk
    if upgrade and b"\r\n\r\n" in data:
        break
status = data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/") else "none"
body = data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""
print(status, body.decode(errors="replace").replace("\n", " "))
PYEOF
}

# expect STATUS PATH [upgrade]
expect() {
  local got
  got=$(req "$2" "${3:-}")
  [ "${got%% *}" = "$1" ] || fail "GET $2 ${3:-}: wanted $1, got: $got"
  LAST=$got
}

# Outside the prefix: 403 with the sentence, for every way of being outside.
for p in / /index.html /exo.js /exo /sub/app.css /favicon.ico \
         "/$TOK" "/${TOK}x/" "/${TOK}x/index.html" "/${TOK:1}/" "/${TOK:0:31}/" \
         "/${TOK:0:31}0/" "/${TOK^^}/" "/x$TOK/" "/$TOK%2F/../exo.js" "/$TOK/../exo.js" \
         "/$TOK/../index.html" "/$TOK/%2e%2e/index.html" "/%2e%2e/exo.js" "/./exo.js" \
         "//exo.js" "/?$TOK/" "/exo.js?token=$TOK" "/%30123456789abcdef0123456789abcdef"; do
  expect 403 "$p"
  case $LAST in
    *"this page needs the URL exo printed, with its token"*) ;;
    *) fail "GET $p: the 403 does not say why: $LAST" ;;
  esac
done

# Another method outside the prefix: refused all the same, the connection closed after it.
got=$(python3 - "$PORT" <<'PYEOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"POST /exo.js HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print(data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/") else "none")
PYEOF
)
[ "$got" = 403 ] || fail "POST /exo.js: wanted 403 and the connection closed, got: $got"

# A NUL byte: libwebsockets drops the request itself; nothing is served in any case.
got=$(req "/$TOK%00/")
case ${got%% *} in 403|400|none) ;; *) fail "GET /TOKEN%00/: wanted a refusal, got: $got" ;; esac

# Under the prefix: the files, exo.js, the upgrade-required answer at /TOKEN/exo.
expect 200 "/$TOK/"
case $LAST in *"<h1>dashboard</h1>"*) ;; *) fail "/$TOK/ is not index.html: $LAST" ;; esac
expect 200 "/$TOK/index.html"
expect 200 "/$TOK/sub/app.css"
expect 200 "/$TOK/exo.js"
case $LAST in *"exo.v1"*) ;; *) fail "/$TOK/exo.js is not exo.js: ${LAST:0:200}" ;; esac
expect 426 "/$TOK/exo"
expect 404 "/$TOK/nothing.html"

# Under the prefix but climbing out of it: never the file beside the static directory.
for p in "/$TOK/../secret.txt" "/$TOK/%2e%2e/secret.txt" "/$TOK/..%2Fsecret.txt" \
         "/$TOK/sub/../../secret.txt" "/$TOK/%2E%2E%2Fsecret.txt" "/$TOK/..%5Csecret.txt"; do
  got=$(req "$p")
  case ${got%% *} in 403|404) ;; *) fail "GET $p: wanted 403 or 404, got: $got" ;; esac
  case $got in *NOT-FOR-BROWSERS*) fail "GET $p served the file beside static: $got" ;; esac
done

# The WebSocket: refused at /exo, /WRONG/exo, a shorter token; accepted at /TOKEN/exo, whose
# ?token= credential still reaches the core as before.
expect 403 /exo upgrade
expect 403 "/${TOK:1}/exo" upgrade
expect 403 "/WRONG/exo" upgrade
expect 403 "/0123456789abcdef0123456789abcdeF/exo" upgrade
expect 403 "/exo?token=$TOK" upgrade
if grep -q "conn_open" "$T/serve.out"; then fail "a refused upgrade reached the core"; fi
expect 101 "/$TOK/exo?token=user-secret" upgrade
wait_for "$T/serve.out" "conn_open 1 credential=user-secret"
if grep -q "$TOK" "$T/serve.out"; then fail "the plugin logged its access token: $(cat "$T/serve.out")"; fi
echo "PASS: the access prefix holds"
