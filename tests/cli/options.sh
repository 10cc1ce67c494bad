#!/bin/bash
# tests/cli/options.sh - the one option parser every exo command uses (core/cli/options.c):
# unknown options with a did-you-mean hint, missing values, --opt=value, options after
# arguments, "--", repeated and required options, choices, argument counts, and the --help of
# every command printing its usage line and each of its options.
set -u
exo=${EXO_BIN:?EXO_BIN not set}
apps=$(cd "${EXO_TOP_SRCDIR:?EXO_TOP_SRCDIR not set}/tests/fixtures/apps" && pwd -P)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
export XDG_DATA_HOME="$tmp/xdg"
failures=0

fail() {
    echo "FAIL: $*"
    echo "--- stdout"; cat "$tmp/out"; echo "--- stderr"; cat "$tmp/err"
    failures=$((failures + 1))
}

# run EXPECTED_STATUS ARGS...: run exo (stdin not a terminal); output in $tmp/out, $tmp/err.
run() {
    local want=$1
    shift
    "$exo" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    [ "$rc" -eq "$want" ] || fail "exo $*: exit $rc, expected $want"
}
err_is() { grep -qxF -- "$1" "$tmp/err" || fail "stderr is not the line: $1"; }
err_has() { grep -qF -- "$1" "$tmp/err" || fail "stderr lacks: $1"; }
out_has() { grep -qF -- "$1" "$tmp/out" || fail "stdout lacks: $1"; }

# Unknown options: one line naming the closest option and where the help is, exit 1.
run 1 run --bakend docker
err_is "exo run: unknown option '--bakend'; did you mean '--backend'? (exo run --help)"
run 1 run --bakend=docker
err_is "exo run: unknown option '--bakend'; did you mean '--backend'? (exo run --help)"
run 1 check --sctrict
err_is "exo check: unknown option '--sctrict'; did you mean '--strict'? (exo check --help)"
run 1 send --as web users.list --wiat
err_has "unknown option '--wiat'; did you mean '--wait'?"
run 1 templates --bogus
err_is "exo templates: unknown option '--bogus' (exo templates --help)"
run 1 bus -x
err_is "exo bus: unknown option '-x' (exo bus --help)"
run 1 version --verbose
err_has "exo version: unknown option '--verbose'"

# Missing values: at the end, or followed by another option.
run 1 run --app
err_is "exo run: missing the value of --app DIR (exo run --help)"
run 1 run --app --watch
err_is "exo run: missing the value of --app DIR (exo run --help)"
run 1 add service x --template
err_has "missing the value of --template NAME"
run 1 send --as
err_has "missing the value of --as ROLE"

# A flag takes no value; a choice takes one of its words.
run 1 check --strict=yes
err_is "exo check: --strict takes no value (exo check --help)"
run 1 run --app "$apps/full" --log-format xml
err_is "exo run: --log-format takes 'text' or 'json', not 'xml' (exo run --help)"

# --opt=VALUE and --opt VALUE are the same; options may follow the arguments.
run 0 check --app="$apps/full"
out_has "ok: app full-app"
run 0 check --strict --app "$apps/full"
out_has "ok: app full-app"
run 1 env nosuch --app="$apps/full"
err_has "app full-app has no role 'nosuch'"

# "--" ends the options: what follows is an argument even when it looks like an option.
run 1 env --app "$apps/full" -- --help
err_has "has no role '--help'"
[ ! -s "$tmp/out" ] || fail "-- --help printed the help"
# "-" and negative numbers are arguments, not options.
run 1 send --app "$apps/full" --as web -5
err_has "no exo run or exo bus is running for app full-app"

# A single-value option given twice with different values is an error; the same value is not.
run 1 run --backend process --backend docker
err_is "exo run: --backend given twice ('process', then 'docker'); give it once (exo run --help)"
run 0 check --app "$apps/full" --app "$apps/full"
# List options collect every occurrence (--set) or the words that follow (--only).
mkdir lists && printf 'name: lists\n' >lists/application.yml
run 1 add service w --app lists --template worker --set command=true --set nope=1 --set other=2
err_has "takes no value 'nope'"
run 1 run --app "$apps/full" --only nosuch1 nosuch2,nosuch3 --watch
err_has "has no role 'nosuch1'"
err_has "has no role 'nosuch2'"
err_has "has no role 'nosuch3'"
run 1 run --app "$apps/full" stray
err_is "exo run: unexpected argument 'stray'; roles go after --only (exo run --help)"

# Required options and argument counts.
run 1 send users.list
err_is "exo send: missing --as ROLE: the role to send as (exo send --help)"
run 1 check --app "$apps/full" extra
err_is "exo check: unexpected argument 'extra' (exo check --help)"
run 1 version now
err_is "exo version: unexpected argument 'now' (exo version --help)"
run 1 send --as web a b c
err_is "exo send: unexpected argument 'c' (exo send --help)"

# --help of every command: its usage line, an Options block with each option, exit 0; the
# same as exo help COMMAND; -h too, and wherever it stands.
declare -A opts=(
    [help]="" [version]="" [create]="--description TEXT;--version X.Y.Z;--template NAME;--set KEY=VALUE"
    [add]="--template NAME;--description TEXT;--set KEY=VALUE;--app DIR"
    [templates]="--json;--app DIR" [template]="--set KEY=VALUE;--keep"
    [check]="--app DIR;--strict;--json" [plugins]="--app DIR;--json"
    [run]="--app DIR;--backend NAME;--watch;--only ROLE...;--log-format text|json;--no-dashboard;--dashboard-port N"
    [dashboard]="--app DIR"
    [test]="--app DIR;--junit FILE;--backend NAME" [setup]="--app DIR;--backend NAME"
    [clean]="--app DIR;--data;--yes" [env]="--app DIR;--all;--setup"
    [generate]="--app DIR;--out DIR;--check" [build]="--app DIR;--backend NAME"
    [bus]="--app DIR;--listen ENDPOINT;-q, --quiet" [send]="--as ROLE;--app DIR;--wait;--timeout MS"
    [tail]="--app DIR;--json"
)
listed=$("$exo" help | sed -n 's/^  \([a-z]\+\) .*/\1/p')
[ "$(echo "$listed" | wc -l)" -eq "${#opts[@]}" ] && [ "${#opts[@]}" -gt 0 ] || fail "exo help lists $(echo $listed), not the ${#opts[@]} commands this test knows"
for cmd in $listed; do
    [ -n "${opts[$cmd]+set}" ] || { fail "no expected options for command $cmd"; continue; }
    run 0 "$cmd" --help
    head -1 "$tmp/out" | grep -q "^Usage: exo $cmd\b" || fail "$cmd --help: no usage line"
    sed '/^$/q' "$tmp/out" >"$tmp/usage"
    out_has "Options:"
    grep -qE '^  -h, --help +print this help$' "$tmp/out" || fail "$cmd --help: no -h, --help line"
    IFS=';' read -r -a want <<<"${opts[$cmd]}"
    for o in "${want[@]}"; do
        grep -qF -- "  $o" "$tmp/out" || fail "$cmd --help: no line for option '$o'"
        long=${o#-q, }
        grep -qF -- "${long%% *}" "$tmp/usage" || fail "$cmd --help: the usage line lacks ${long%% *}"
    done
    cp "$tmp/out" "$tmp/help1"
    run 0 help "$cmd"
    cmp -s "$tmp/out" "$tmp/help1" || fail "exo help $cmd differs from exo $cmd --help"
    run 0 "$cmd" -h
    cmp -s "$tmp/out" "$tmp/help1" || fail "exo $cmd -h differs from exo $cmd --help"
done
run 0 run --app "$apps/full" --only web --help
out_has "Usage: exo run"
run 0 create --help
out_has "Usage: exo create app NAME"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all option parser tests passed"
