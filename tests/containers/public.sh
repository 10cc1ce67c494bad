#!/bin/bash
# Public endpoints on the container backends: a role's pinned host port (application.yml
# services.<role>.public) is published to the container's port (service.yml port) on
# 127.0.0.1, or on the address the app binds; exo run prints the URL, which serves the
# container's page; PORT is the container's port under exo env and exo run alike. A pinned
# port another program holds stops exo run before any container or network stays behind.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/support/engines.sh"
engines_require_both || exit
ENGINE=""
trap '[ -n "$ENGINE" ] && engine_${ENGINE}_stop; lib_cleanup' EXIT

free_port() {
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# app DIR PUBLIC: on $ENGINE, one role serving a page with busybox httpd on its container port 8080.
app() {
  mkdir -p "$1/web"
  printf 'name: pubctr\nbackend: %s\nshutdown-grace: 1s\nservices:\n  web:\n    location: ./web\n    public: %s\n' \
    "$ENGINE" "$2" > "$1/application.yml"
  service "$1/web" "startup:
  command: mkdir -p /tmp/www && echo \"page from the container, PORT=\$PORT\" > /tmp/www/index.html && exec httpd -f -p \$PORT -h /tmp/www
port: 8080
docker:
  image: exo-busybox:test"
}

# The engine's port bindings of the app's running container, as JSON.
bindings() {
  local id
  id=$("$ENGINE" ps -q --filter label=exo.app=pubctr)
  "$ENGINE" inspect --format '{{json .HostConfig.PortBindings}}' "$id"
}

for ENGINE in docker podman; do
  "engine_${ENGINE}_start" "$T" || fail "$ENGINE did not start"
  engine_import_busybox "$ENGINE" exo-busybox:test || fail "importing busybox into $ENGINE"
  P=$(free_port)

  # 1. Published on loopback at the pinned port; the printed URL serves the container.
  A=$T/$ENGINE-ok
  app "$A" "$P"
  "$EXO_BIN" env --app "$A" web > "$T/$ENGINE.env" 2>&1 ||
    { cat "$T/$ENGINE.env"; fail "$ENGINE: exo env failed"; }
  expect_line "$T/$ENGINE.env" '^PORT=8080 +# exo$'
  expect_line "$T/$ENGINE.env" "^# web is public at http://127\\.0\\.0\\.1:$P "
  "$EXO_BIN" run --app "$A" > "$T/$ENGINE-ok.out" 2>&1 &
  EXO=$!
  wait_for "$T/$ENGINE-ok.out" 'web public at http://' 120
  cat "$T/$ENGINE-ok.out"
  url=$(sed -n 's/.* web public at \(http:[^ ]*\)$/\1/p' "$T/$ENGINE-ok.out")
  [ "$url" = "http://127.0.0.1:$P" ] || fail "$ENGINE: printed URL '$url'"
  page=$(curl -sf "$url/index.html") || fail "$ENGINE: nothing answers at $url"
  [ "$page" = "page from the container, PORT=8080" ] || fail "$ENGINE: $url serves '$page'"
  GOT=$(bindings)
  echo "$GOT" | grep -q "\"8080/tcp\":\\[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$P\"}\\]" ||
    fail "$ENGINE: port bindings $GOT"
  kill -INT $EXO
  wait_exit $EXO 60
  [ "$RC" = 0 ] || fail "$ENGINE: exo run exited $RC after Ctrl-C"
  pass "$ENGINE: the public role is served at the printed URL"

  # 2. bind: 0.0.0.0 publishes on every interface, with a warning; the URL stays loopback.
  A=$T/$ENGINE-wide
  app "$A" "{port: $P, bind: 0.0.0.0}"
  "$EXO_BIN" run --app "$A" > "$T/$ENGINE-wide.out" 2>&1 &
  EXO=$!
  wait_for "$T/$ENGINE-wide.out" 'web public at http://' 120
  expect_line "$T/$ENGINE-wide.out" 'warning: services\.web\.public binds 0\.0\.0\.0'
  expect_line "$T/$ENGINE-wide.out" "web public at http://127\\.0\\.0\\.1:$P \\(bound to 0\\.0\\.0\\.0: reachable from other machines\\)"
  curl -sf "http://127.0.0.1:$P/index.html" > /dev/null || fail "$ENGINE: 0.0.0.0 bind not served"
  # podman shows every interface as "", docker as 0.0.0.0
  GOT=$(bindings)
  echo "$GOT" | grep -qE "\"HostIp\":\"(0\\.0\\.0\\.0)?\",\"HostPort\":\"$P\"" ||
    fail "$ENGINE: port bindings with bind 0.0.0.0: $GOT"
  kill -INT $EXO
  wait_exit $EXO 60
  [ "$RC" = 0 ] || fail "$ENGINE: exo run exited $RC after Ctrl-C"
  pass "$ENGINE: bind 0.0.0.0 is published there, with a warning"

  # 3. The pinned port is taken: exit 1 before any container runs, nothing left behind.
  $PY -m http.server "$P" --bind 127.0.0.1 > /dev/null 2>&1 &
  HOLDER=$!
  for ((i = 0; i < 100; i++)); do curl -s -o /dev/null "http://127.0.0.1:$P/" && break; sleep 0.05; done
  A=$T/$ENGINE-ok
  "$EXO_BIN" run --app "$A" > "$T/$ENGINE-taken.out" 2>&1
  RC=$?
  cat "$T/$ENGINE-taken.out"
  [ "$RC" = 1 ] || fail "$ENGINE: exo run exited $RC with its port taken, want 1"
  expect_line "$T/$ENGINE-taken.out" "web failed: port $P on 127\\.0\\.0\\.1 is in use by python3 \\(pid $HOLDER\\)"
  expect_no_line "$T/$ENGINE-taken.out" 'ready in|web \|'
  [ -z "$("$ENGINE" ps -aq --filter label=exo.app=pubctr)" ] || fail "$ENGINE: container left"
  [ -z "$("$ENGINE" network ls -q --filter label=exo.app=pubctr)" ] || fail "$ENGINE: network left"
  kill "$HOLDER"
  wait "$HOLDER" 2>/dev/null
  pass "$ENGINE: a taken public port stops exo run, nothing left"
  "engine_${ENGINE}_stop"
done
ENGINE=""
