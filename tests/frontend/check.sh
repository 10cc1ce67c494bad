#!/bin/bash
# tests/frontend/check.sh - application.yml frontends: under exo check: every bad input is one
# FILE:LINE:COLUMN diagnostic; an app with a frontend checks ok (its wiring with the services,
# its auth step's receiver); the frontend plugin's own keys are checked against what the
# plugin declares (tests/frontend/fixtures/lines.c), and a type no plugin has is an error
# naming the frontend plugins there are.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
export EXO_PLUGIN_PATH=$EXO_PLUGIN_PATH:$EXO_TOP_BUILDDIR/tests/frontend/fixtures/.libs

# check APP_YML: write $T/app/application.yml (and a service todos), run exo check there.
check() {
    rm -rf "$T/app"
    mkdir -p "$T/app"
    printf '%s\n' "$1" >"$T/app/application.yml"
    service "$T/app/todos" 'startup: {command: ./run}
messages: {receives: [todo.create, session.check], sends: [todo.created, session.user]}'
    (cd "$T/app" && "$EXO_BIN" check "${@:2}") >"$T/out" 2>"$T/err"
    RC=$?
}

# expect_diag LINE:COL SEVERITY REGEX: that line in $T/err.
expect_diag() {
    expect_line "$T/err" "^$T/app/application\.yml:$1: $2: $3"
}

HEAD='name: shop
services:
  todos: {location: todos}
frontends:'

# A good app: ok, counted apart from the services; its wiring is the services' wiring.
check "$HEAD
  web:
    type: lines
    public: 3000
    sends: [todo.create, session.check]
    receives: [todo.created, session.user]
    auth: {ask: session.check}
    greeting: hi"
[ "$RC" = 0 ] || { cat "$T/err"; fail "good app: exit $RC"; }
expect_line "$T/out" '^ok: app shop, 1 service, 1 frontend, 4 messages$'
expect_no_line "$T/err" .
pass "an app with a frontend checks ok"

# Each bad core value: one error at its line and column.
check "$HEAD
  web:
    type: lines
    public: 70000
    rate: 0
    request-timeout: 0
    max-message-size: 2MiB
    auth: maybe
    sends: [a, a]
    depends-on: [nobody]
  todos:
    type: lines
  bad:
    type: Bad!
  none: {public: 3001}"
[ "$RC" = 1 ] || fail "bad values: exit $RC"
expect_diag 7:13 error "frontends\.web\.public: the port must be a whole number from 1 to 65535, not '70000'"
expect_diag 8:11 error "frontends\.web\.rate must be a whole number from 1 to 1000000, not '0'"
expect_diag 9:22 error "frontends\.web\.request-timeout must be longer than 0"
expect_diag 10:23 error "frontends\.web\.max-message-size \(2097152 bytes\) is over the bus's max-message-size \(1048576 bytes\)"
expect_diag 11:11 error "frontends\.web\.auth must be none .* or \{ask: MESSAGE\}"
expect_diag 12:16 error "'a' is listed twice in frontends\.web\.sends"
expect_diag 13:18 error "frontends\.web\.depends-on: there is no role 'nobody' in services or frontends"
expect_diag 14:3 error "'todos' is both a service \(services\.todos, line 3\) and a frontend"
expect_diag 17:11 error "'Bad!' is not a valid frontend type"
expect_diag 18:3 error "frontends\.none is missing 'type': the frontend plugin"
expect_line "$T/err" '^exo check: 10 errors$'
pass "bad frontend values: one error each at its line and column"

check "$HEAD
  web:
    type: lines
    public: 3000
    auth: {ask: ''}
    max-message-size: huge
    request-timeout: soon
    translations: [{public: todo.create, internal: create}]
  api:
    type: lines
    public: {port: 3000}"
[ "$RC" = 1 ] || fail "bad values 2: exit $RC"
expect_diag 8:17 error "'' in frontends\.web\.auth\.ask is not a valid message name"
expect_diag 9:23 error "frontends\.web\.max-message-size must be a size such as 64KiB"
expect_diag 10:22 error "frontends\.web\.request-timeout must be a duration"
expect_diag 11:20 error "frontends\.web\.translations: internal name 'create' is neither sent nor received by web \(see its sends and receives\)"
expect_diag 14:13 error "frontends\.api\.public: port 3000 is already public for frontends\.web \(line 7\)"
pass "more bad values: auth.ask, sizes, durations, translations, a port pinned twice"

# Wiring: a frontend's sends without a receiver (its auth step's question too), receives
# without a sender: warnings at their items (errors with --strict).
check "$HEAD
  web:
    type: lines
    sends: [todo.create, todo.nobody, whoami]
    receives: [todo.created, todo.never]
    auth: {ask: whoami}" --strict
[ "$RC" = 1 ] || fail "wiring: exit $RC"
expect_diag 7:26 warning "role web sends 'todo\.nobody' but no role receives it"
expect_diag 7:39 warning "role web sends 'whoami' but no role receives it"
expect_diag 8:30 warning "role web receives 'todo\.never' but no role sends it"
pass "wiring of a frontend: sends, receives"

# The auth step's question is sent as the role: it must be in its sends.
check "$HEAD
  web:
    type: lines
    sends: [todo.create]
    auth:
      ask: session.check"
[ "$RC" = 1 ] || fail "ask not in sends: exit $RC"
expect_diag 9:12 error "frontends\.web\.auth\.ask: 'session\.check' must also be in frontends\.web\.sends"
pass "auth.ask must be in sends"

# The plugin's keys: an unknown one (with a hint over the plugin's and the core's keys), a
# wrong type; a type no plugin has names the frontend plugins there are.
check "$HEAD
  web:
    type: lines
    greting: hi
    max-clients: many
    recieves: [todo.created]
    zzzzz: 1
  api:
    type: linez"
[ "$RC" = 1 ] || fail "plugin keys: exit $RC"
expect_diag 7:5 error "frontends\.web: unknown key 'greting'; did you mean 'greeting'\?"
expect_diag 8:18 error "frontends\.web\.max-clients must be a whole number \(int\), not 'many'"
expect_diag 9:5 error "frontends\.web: unknown key 'recieves'; did you mean 'receives'\?"
expect_diag 10:5 error "frontends\.web: unknown key 'zzzzz' \(a frontend of type lines knows: type, public, .*, max-message-size, greeting, max-clients\)"
expect_diag 12:11 error "frontends\.api: no working frontend plugin 'linez' is installed \(installed: ([a-z]+, )*lines(, [a-z]+)*; did you mean 'lines'\?\)"
pass "the frontend plugin's declared keys; an unknown type"

# exo check --json counts frontends apart.
check "$HEAD
  web: {type: lines}" --json
[ "$RC" = 0 ] || fail "json: exit $RC"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["services"] == 1 and d["frontends"] == 1, d' "$T/out" ||
    fail "json: services and frontends"
pass "exo check --json counts frontends"
