#!/bin/bash
# tests/generate/compose-frontend.sh - frontends (application.yml frontends:) in `exo generate
# compose`: each is a compose service running `exo frontend ROLE` from the bus image, listening
# on all interfaces of its container (EXO_FRONTEND_LISTEN) at its public port, published at its
# bind address only when public (a private one listens on 8080, unpublished), with the
# deployment's bus token in its 0600 secrets file; the bus image then installs libwebsockets
# and copies the frontend's static directory, and an app without frontends gets neither;
# docker-compose validates the file; a static directory outside the app is refused before
# anything is written.
. "$EXO_TOP_SRCDIR/tests/generate/lib.sh"

app=$tmp/todo
cp -r "$src/examples/todo" "$app"
rm -rf "$app/.exo" "$app/deploy"
out=$app/deploy/compose
gen compose
[ "$rc" -eq 0 ] || fail "generate without frontends: exit $rc"
grep -q libwebsockets "$out/bus/Dockerfile" && fail "the bus image of an app without frontends installs libwebsockets"
cp "$out/bus/Dockerfile" "$tmp/plain.Dockerfile"

mkdir -p "$app/site/public"
echo hello >"$app/site/public/index.html"
cat >>"$app/application.yml" <<'EOF'
frontends:
  site:
    type: http
    public: 3000
    sends: [todo.create]
    receives: [todo.created]
    static: site/public
  inner:
    type: http
    sends: [todo.list]
    receives: [todo.listing]
EOF
rm -rf "$out"
gen compose
[ "$rc" -eq 0 ] || fail "generate with frontends: exit $rc"
service() { sed -n "/^  $1:\$/,/^  [a-z]/p" "$2"; }
for f in docker-compose.yml docker-compose.prod.yml; do
    service site "$out/$f" >"$tmp/site"
    for line in '      - "exo"' '      - "frontend"' '      - "site"' '      - "/app"' \
                '    image: "todo-bus:1.0.0"' '      dockerfile: "deploy/compose/bus/Dockerfile"' \
                '      EXO_FRONTEND_LISTEN: "0.0.0.0:3000"' '      EXO_BUS_ENDPOINT: "tcp://bus:7777"' \
                '      - "127.0.0.1:3000:3000"' '      - "secrets/site.env"' \
                "        - \"bash -c ':> /dev/tcp/127.0.0.1/3000' || exit 1\""; do
        grep -qxF -- "$line" "$tmp/site" || fail "$f: site lacks: $line"
    done
    service inner "$out/$f" >"$tmp/inner"
    grep -qxF '      EXO_FRONTEND_LISTEN: "0.0.0.0:8080"' "$tmp/inner" || fail "$f: inner does not listen on 8080"
    grep -q 'ports:' "$tmp/inner" && fail "$f: the private frontend inner is published"
done
tok=$(sed -n 's/^EXO_BUS_USER_TOKEN=//p' "$out/secrets/bus.env")
grep -qx "EXO_BUS_TOKEN=$tok" "$out/secrets/site.env" || fail "site does not get the deployment's bus token"
[ "$(stat -c %a "$out/secrets/site.env")" = 600 ] || fail "secrets/site.env is not 0600"
grep -q 'libwebsockets17 libuv1' "$out/bus/Dockerfile" || fail "the bus image does not install libwebsockets and libuv"
grep -qx 'COPY site/public/ /app/site/public/' "$out/bus/Dockerfile" || fail "the bus image lacks site's static files"
gen compose --check
[ "$rc" -eq 0 ] || fail "--check with frontends: exit $rc"
if command -v docker-compose >/dev/null; then
    docker-compose -f "$out/docker-compose.yml" config >"$tmp/config" 2>"$tmp/config.err" \
        || fail "docker-compose config rejects the file: $(cat "$tmp/config.err")"
fi

# A static directory that would leave the app is refused, naming the frontend.
rm -rf "$out"
sed -i 's|    static: site/public|    static: ../elsewhere|' "$app/application.yml"
mkdir -p "$tmp/elsewhere"
gen compose
[ "$rc" -eq 1 ] || fail "a static directory outside the app: exit $rc"
grep -q "frontend site: static '../elsewhere' must be a directory inside the app" "$tmp/err" \
    || fail "a static directory outside the app: message"
[ -e "$out" ] && fail "files were written although site's static directory is outside the app"

finish
