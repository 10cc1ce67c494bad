#!/bin/bash
# tests/cli/yaml_errors.sh - YAML syntax errors read as what the user did wrong, at the line and
# column where it is: a tab used for indentation (libyaml says only "found character that
# cannot start any token") in application.yml and in a service.yml.
. "$EXO_TOP_SRCDIR/tests/support/lib.sh"
exo=${EXO_BIN:?EXO_BIN not set}

# check_app DIR: exo check on DIR; output in $T/err, status in $rc.
check_app() {
  "$exo" check --app "$1" >"$T/out" 2>"$T/err"
  rc=$?
}

# A tab before a mapping key of application.yml (line 3, column 1).
mkdir -p "$T/a/web"
printf 'name: a\nservices:\n\tweb:\n    location: ./web\n' >"$T/a/application.yml"
check_app "$T/a"
[ "$rc" = 1 ] || { cat "$T/err"; fail "a tab in application.yml: exit $rc, expected 1"; }
grep -qxF "$T/a/application.yml:3:1: error: invalid YAML: tab characters are not allowed for indentation" \
  "$T/err" || { cat "$T/err"; fail "a tab in application.yml: not named at 3:1"; }
grep -q "cannot start any token" "$T/err" && fail "libyaml's wording is still shown"

# After spaces, deeper in the file: the column is the tab's (line 4, column 3).
printf 'name: a\nservices:\n  web:\n  \tlocation: ./web\n' >"$T/a/application.yml"
check_app "$T/a"
grep -qxF "$T/a/application.yml:4:3: error: invalid YAML: tab characters are not allowed for indentation" \
  "$T/err" || { cat "$T/err"; fail "a tab after spaces: not named at 4:3"; }

# Non-ASCII text before it (libyaml counts characters, not bytes): still found (4:1).
printf 'name: a\ndescription: caf\xc3\xa9 \xe2\x98\x95 \xe2\x98\x95\nservices:\n\tweb:\n    location: ./web\n' \
  >"$T/a/application.yml"
check_app "$T/a"
grep -qxF "$T/a/application.yml:4:1: error: invalid YAML: tab characters are not allowed for indentation" \
  "$T/err" || { cat "$T/err"; fail "a tab after non-ASCII text: not named at 4:1"; }

# In a service.yml, under a sequence (line 5, column 1).
printf 'name: a\nservices:\n  web:\n    location: ./web\n' >"$T/a/application.yml"
printf 'startup:\n  command: ./web\nmessages:\n  sends:\n\t- ping\n' >"$T/a/web/service.yml"
check_app "$T/a"
[ "$rc" = 1 ] || { cat "$T/err"; fail "a tab in service.yml: exit $rc, expected 1"; }
grep -qxF "$T/a/web/service.yml:5:1: error: invalid YAML: tab characters are not allowed for indentation" \
  "$T/err" || { cat "$T/err"; fail "a tab in service.yml: not named at 5:1"; }

# A tab as a separator inside a line is valid YAML and stays accepted.
printf 'startup:\n  command:\t./web\nmessages:\n  sends: [ping]\n' >"$T/a/web/service.yml"
check_app "$T/a"
[ "$rc" = 0 ] || { cat "$T/err"; fail "a tab after a key: exit $rc, expected 0"; }
# In a template's template.yml (line 5, column 1), through exo template check.
mkdir -p "$T/tpl/files"
printf 'name: tpl\ndescription: d\nkind: service\nvalues:\n\tport: "1"\n' >"$T/tpl/template.yml"
"$exo" template check "$T/tpl" </dev/null >"$T/out" 2>"$T/err"
grep -qxF "$T/tpl/template.yml:5:1: error: tab characters are not allowed for indentation" \
  "$T/err" || { cat "$T/err"; fail "a tab in template.yml: not named at 5:1"; }
echo "ok: tab indentation is named as such, at its line and column"
