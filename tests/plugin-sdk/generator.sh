#!/bin/bash
# tests/plugin-sdk/generator.sh - a third party's generator, written from exo/generator.h alone
# and built out of tree with plain gcc: `exo generate mine` runs it on a small app, the core
# writes its files (modes kept) and --check agrees; a generator that returns a path leaving the
# output directory gets an error and nothing is written, outside or inside.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
CC=${CC:-gcc}
exo=${EXO_BIN:?EXO_BIN not set}
api="-I${EXO_TOP_SRCDIR:?EXO_TOP_SRCDIR not set}/plugin-api -I${EXO_TOP_BUILDDIR:?}/plugin-api"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exo-gensdk.XXXXXX") || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/plugins" "$tmp/app/svc"

cat >"$tmp/mine.c" <<'CEOF'
/* generator "mine": one line per service, and the secrets in a file of their own. */
#include <stdio.h>
#include <string.h>

#include <exo/generator.h>

static int mine_generate(const exo_host_t *host, const json_t *model, exo_generator_sink_t *sink,
                         exo_error_t *err)
{
    char text[4096], secrets[4096];
    size_t n = 0, s = 0, i, j;
    json_t *svc, *var;
    n += (size_t)snprintf(text + n, sizeof text - n, "app %s\n",
                          json_string_value(json_object_get(model, "name")));
    json_array_foreach(json_object_get(model, "services"), i, svc) {
        n += (size_t)snprintf(text + n, sizeof text - n, "service %s x%lld\n",
                              json_string_value(json_object_get(svc, "role")),
                              (long long)json_integer_value(json_object_get(svc, "instances")));
        json_array_foreach(json_object_get(svc, "env"), j, var) {
            if (json_is_true(json_object_get(var, "secret"))) {
                s += (size_t)snprintf(secrets + s, sizeof secrets - s, "%s\n",
                                      json_string_value(json_object_get(var, "name")));
            }
        }
    }
    int rc = sink->add_file(sink, "app.txt", text, n, 0644, err);
    if (rc == 0) {
        rc = sink->add_file(sink, "private/secrets.txt", secrets, s, 0600, err);
    }
    if (rc == 0 && getenv("MINE_ESCAPE") != NULL) {
        rc = sink->add_file(sink, "../escaped.txt", "x", 1, 0644, err);
    }
    return rc;
}

static const exo_generator_ops_t ops = {.size = sizeof ops, .generate = mine_generate};
EXO_GENERATOR_PLUGIN("mine", "0.0.1", "one line per service", EXO_CAP_NONE, NULL, NULL, &ops)
CEOF
sed -i 's/#include <string.h>/#include <stdlib.h>\n#include <string.h>/' "$tmp/mine.c"
# shellcheck disable=SC2086
$CC -std=c11 -Wall -Wextra -Wno-unused-parameter -Werror -fPIC -shared -fvisibility=hidden \
    $api $(pkg-config --cflags jansson) -o "$tmp/plugins/generator_mine.so" "$tmp/mine.c" \
    || fail "building the generator"

cat >"$tmp/app/application.yml" <<'YEOF'
name: tiny
env:
  TOKEN: {secret: hush}
services:
  svc:
    location: ./svc
    instances: 2
YEOF
cat >"$tmp/app/svc/service.yml" <<'YEOF'
type: worker
startup:
  command: sleep 1
YEOF
export EXO_PLUGIN_PATH="$tmp/plugins:${EXO_PLUGIN_PATH:-}"
cd "$tmp/app" || fail "cd"
"$exo" plugins | grep -q "^mine  *generator  *0.0.1 .* ok " || fail "mine is not listed: $("$exo" plugins)"
"$exo" generate mine >"$tmp/out" 2>&1 || fail "generate mine: $(cat "$tmp/out")"
printf 'app tiny\nservice svc x2\n' | cmp -s - deploy/mine/app.txt || fail "app.txt: $(cat deploy/mine/app.txt)"
[ "$(cat deploy/mine/private/secrets.txt)" = TOKEN ] || fail "secrets.txt"
[ "$(stat -c %a deploy/mine/private/secrets.txt)" = 600 ] || fail "secrets.txt is not 0600"
"$exo" generate mine --check >"$tmp/out" 2>&1 || fail "--check: $(cat "$tmp/out")"

rm -rf deploy
MINE_ESCAPE=1 "$exo" generate mine >"$tmp/out" 2>&1 && fail "an escaping path was accepted"
grep -q "generator mine: path '../escaped.txt' would leave the output directory" "$tmp/out" \
    || fail "escaping path: $(cat "$tmp/out")"
[ -e deploy ] && fail "files were written although the generator failed"
[ -e "$tmp/app/deploy/escaped.txt" ] || [ -e "$tmp/app/escaped.txt" ] && fail "escaped"

echo "ok"
