#!/bin/bash
# tests/plugin-sdk/headers.sh - each public header compiles on its own, as C11 and as C++
# (extern "C"), with the warnings the project uses turned into errors.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
CC=${CC:-gcc}
CXX=${CXX:-g++}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exo-headers.XXXXXX") || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
inc=(-I"$EXO_TOP_SRCDIR/plugin-api" -I"$EXO_TOP_BUILDDIR/plugin-api")
jansson=$(pkg-config --cflags jansson) || fail "pkg-config jansson"
n=0
for h in plugin backend resource transport frontend generator version; do
    [ -f "$EXO_TOP_SRCDIR/plugin-api/exo/$h.h" ] || [ -f "$EXO_TOP_BUILDDIR/plugin-api/exo/$h.h" ] \
        || fail "no header exo/$h.h"
    # Included twice to check the guard; the typedef keeps the unit non-empty for -pedantic.
    printf '#include <exo/%s.h>\n#include <exo/%s.h>\ntypedef int exo_nonempty_;\n' "$h" "$h" \
        >"$tmp/t.c"
    $CC -std=c11 -pedantic -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Werror -fsyntax-only "${inc[@]}" $jansson "$tmp/t.c" || fail "exo/$h.h alone (C11)"
    if command -v "$CXX" >/dev/null 2>&1; then
        cp "$tmp/t.c" "$tmp/t.cc"
        $CXX -Wall -Wextra -Werror -fsyntax-only "${inc[@]}" $jansson "$tmp/t.cc" \
            || fail "exo/$h.h alone (C++)"
    fi
    n=$((n + 1))
done
# A plugin written in C++ must still export the unmangled symbol the loader looks up.
if command -v "$CXX" >/dev/null 2>&1; then
    cat >"$tmp/p.cc" <<'CXXEOF'
#include <exo/frontend.h>
static int f_open(const exo_host_t *, const exo_frontend_spec_t *, void **inst, exo_error_t *)
{
    *inst = nullptr;
    return 0;
}
static const char *f_endpoint(void *) { return "127.0.0.1:1"; }
static void f_close(void *) {}
static void f_deliver(void *, exo_conn_id_t, const exo_frontend_msg_t *) {}
static void f_auth_done(void *, exo_conn_id_t, const char *, const char *, const char *) {}
static const exo_frontend_ops_t ops = {sizeof ops, f_open, f_endpoint, f_close, f_deliver,
                                       f_auth_done};
EXO_FRONTEND_PLUGIN("cxx", "1.0.0", "written in C++", EXO_CAP_NONE, nullptr, nullptr, &ops)
CXXEOF
    $CXX -std=c++20 -Wall -Wextra -Werror -fPIC -fvisibility=hidden -c "${inc[@]}" $jansson \
        -o "$tmp/p.o" "$tmp/p.cc" || fail "a C++ plugin does not compile"
    nm "$tmp/p.o" | grep -q ' T exo_plugin_describe$' || fail "C++ plugin: exo_plugin_describe is mangled"
fi
echo "headers.sh: $n headers compile alone"
