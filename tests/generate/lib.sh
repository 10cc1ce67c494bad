# tests/generate/lib.sh - what the `exo generate` tests share. Source it first:
#   . "$EXO_TOP_SRCDIR/tests/generate/lib.sh"
# It sets $exo, $src and a scratch directory $tmp (removed on exit), and gives:
#   fail MSG        count a failure and show the last command's output ($tmp/out, $tmp/err)
#   gen ARGS...     exo generate ARGS in $app; sets $rc
#   todo_with_resources APP
#                   the todo example in APP with a postgres db and a redis cache for the
#                   store, three stores, a secret API_TOKEN and a plain LOG_LEVEL
#   finish          exit 1 when anything failed, else print ok
set -u
exo=${EXO_BIN:?EXO_BIN not set}
src=${EXO_TOP_SRCDIR:?EXO_TOP_SRCDIR not set}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exo-gen.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    [ -f "$tmp/out" ] && { echo "--- stdout"; cat "$tmp/out"; }
    [ -f "$tmp/err" ] && { echo "--- stderr"; cat "$tmp/err"; }
    failures=$((failures + 1))
}
gen() {
    (cd "$app" && "$exo" generate "$@") >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
todo_with_resources() {
    cp -r "$src/examples/todo" "$1"
    rm -rf "$1/.exo" "$1/deploy"
    python3 - "$1/application.yml" <<'PYEOF'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("services:\n", "env:\n  API_TOKEN: {secret: tok$en-s3cr3t}\n  LOG_LEVEL: info\n"
              "resources:\n  db:\n    type: postgres\n  cache:\n    type: redis\nservices:\n", 1)
s = s.replace("    location: ./store\n", "    location: ./store\n    instances: 3\n"
              "    resources: [db, cache]\n", 1)
open(p, "w").write(s)
PYEOF
}
finish() {
    [ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
    echo "ok"
    exit 0
}
