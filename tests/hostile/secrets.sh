# Issue 18 finding 6: every secret of the app is masked in every output (terminal, logs, JSON
# output, exo tail), whoever prints it, also across the 64 KiB pieces of a long line.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
command -v redis-server >/dev/null || { echo "SKIP: redis-server not installed"; exit 77; }
A=$T/app
mkdir -p "$A"
SECRET=Zq7-a-secret-of-A-9x    # role a's own secret
cat > "$A/application.yml" <<YML
name: secrets-test
shutdown-grace: 2s
resources:
  cache:
    type: redis
    password: true
services:
  a:
    location: ./a
    resources: [cache]
    env:
      A_TOKEN: {secret: $SECRET}
  b:
    location: ./b
YML
# a hands its Redis URL and password to b (as a message would) and prints its secret in the
# middle of a line longer than a 64 KiB piece, across the boundary.
service "$A/a" "startup:
  command: printf '%s\n%s\n' \"\$CACHE_URL\" \"\$CACHE_PASSWORD\" > $T/handover.tmp && mv $T/handover.tmp $T/handover; $PY -c \"import os; t=os.environ['A_TOKEN']; print('x' * (65536 - 8) + t + 'y' * 10, flush=True)\"; echo a ready; exec sleep 600
  online-text: a ready
messages:
  sends: [b.note]"
service "$A/b" "startup:
  command: while [ ! -s $T/handover ]; do sleep 0.05; done; echo \"b got url \$(head -1 $T/handover)\"; echo \"b got password \$(tail -1 $T/handover)\"; echo \"b saw a's token $SECRET\"; echo b ready; exec sleep 600
  online-text: b ready
messages:
  receives: [b.note]"

"$EXO_BIN" run --app "$A" > "$T/out" 2>&1 &
EXO=$!
wait_for "$T/out" 'all services ready' 30
"$EXO_BIN" tail --app "$A" --json > "$T/tail" 2>&1 &
TAIL=$!
sleep 0.5
"$EXO_BIN" send --app "$A" --as a b.note "{\"token\": \"$SECRET\"}" > "$T/send" 2>&1
wait_for "$T/tail" '"name":"b.note"' 10
kill -INT $TAIL; wait_exit $TAIL 5
kill -INT $EXO
wait_exit $EXO 20
[ "$RC" = 0 ] || { cat "$T/out"; fail "exo run exited $RC"; }
PASSWORD=$(tail -1 "$T/handover")
[ ${#PASSWORD} -ge 16 ] || fail "no redis password handed over"

# Every piece of a secret longer than 3 characters is a leak (the 64 KiB boundary used to
# show 15 of 16 characters).
leaks() { # FILE VALUE
  local f=$1 v=$2 i
  for ((i = 0; i + 8 <= ${#v}; i++)); do
    grep -qF -- "${v:i:8}" "$f" && { echo "${v:i:8}"; return 0; }
  done
  return 1
}
for f in "$T/out" "$A"/.exo/logs/*.log "$T/tail"; do
  for v in "$SECRET" "$PASSWORD"; do
    if piece=$(leaks "$f" "$v"); then
      grep -nF -- "$piece" "$f" | cut -c1-200 >&2
      fail "secret piece '$piece' in $f"
    fi
  done
done
expect_line "$T/out" "b \| b got url \*\*\*\*\*\*$" # the whole URL is a secret
expect_line "$T/out" "b \| b got password \*\*\*\*\*\*$"
expect_line "$T/out" "b \| b saw a's token \*\*\*\*\*\*$"
expect_line "$A/.exo/logs/b.log" "b saw a's token \*\*\*\*\*\*$"
expect_line "$T/tail" '"payload":\{"token":"\*\*\*\*\*\*"\}'
# The long line keeps its length apart from the mask: nothing lost at the boundary.
$PY - "$A/.exo/logs/a.log" <<'PY' || fail "the long line lost text at the piece boundary"
import sys, re
text = "".join(re.sub(r"^\S+ stdout ", "", l.rstrip("\n")) for l in open(sys.argv[1])
               if " stdout x" in l or " stdout y" in l or re.search(r" stdout \S*\*{6}", l))
assert text == "x" * (65536 - 8) + "******" + "y" * 10, (len(text), text[65500:])
PY
expect_nothing_left
pass "secrets of a role, of a resource, across pieces and in exo tail --json are masked"
