#!/bin/bash
# The resource plugins under valgrind, driven through a whole lifecycle (create, prepare, unit,
# check_ready, provision with a migration, emit_env, destroy) and through their failure paths:
# no leaks, no invalid accesses. In a sanitizer build (make check-asan) ASan checks instead.
: "${EXO_TOP_SRCDIR:?run this through make check}"
. "$EXO_TOP_SRCDIR/tests/resources/common.sh"
command -v valgrind >/dev/null || res_skip "valgrind not installed"
res_have_plugin resource_postgres || res_skip "postgres plugin not built (libpq-dev)"
res_have_plugin resource_redis || res_skip "redis plugin not built (libhiredis-dev)"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || res_skip "package postgresql not installed"
command -v redis-server >/dev/null || res_skip "package redis-server not installed"
res_init vg
APP="$WORK/app"
mkdir -p "$APP/m"
echo 'CREATE TABLE t (x int);' >"$APP/m/001.sql"
vg() {
  if [ -n "${EXO_SANITIZE_FLAGS:-}" ]; then
    # valgrind cannot run an ASan build; there ASan and LeakSanitizer check the same, and a
    # report fails the test (tests/support/run-test.sh).
    "$RESHOST" --app-dir "$APP" "$@"
    return
  fi
  "$EXO_TOP_BUILDDIR/libtool" --mode=execute valgrind --quiet --error-exitcode=99 \
    --leak-check=full --errors-for-leak-kinds=definite "$RESHOST" --app-dir "$APP" "$@"
}
vg --resource db:postgres --config 'db={"type":"postgres","migrations":"m"}' \
  --resource c:redis --config 'c={"type":"redis","password":true}' run true 2>"$WORK/ok.err"
check_eq "a full start and stop is valgrind-clean" 0 "$?"
vg --resource db:postgres --resource c:redis env >/dev/null 2>"$WORK/env.err"
check_eq "env without a start is valgrind-clean" 0 "$?"
echo 'SELEC 1;' >"$APP/m/002.sql"
vg --resource db:postgres --config 'db={"type":"postgres","migrations":"m"}' run true 2>"$WORK/mig.err"
check_eq "a failing migration is valgrind-clean (and fails with 3)" 3 "$?"
vg --resource db:postgres --config 'db={"type":"postgres","user":"postgres"}' run true 2>"$WORK/cfg.err"
check_eq "a bad config is valgrind-clean (and fails with 3)" 3 "$?"
vg --fresh --resource db:postgres --resource c:redis wipe 2>"$WORK/wipe.err"
check_eq "wipe is valgrind-clean" 0 "$?"
grep -h "==[0-9]*==" "$WORK"/*.err >&2
check "no server left running" test -z "$(pgrep -f "$WORK" || true)"
res_finish
