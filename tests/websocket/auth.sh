#!/bin/bash
# The websocket frontend with `auth: {ask: session.check}` under exo run: the credential
# comes from ?token=, Authorization: Bearer or the exo_session cookie; a refused or missing
# one gets an error frame and close 1008; a push with auth {"user": U} reaches only U's
# connections (tests/websocket/auth.mjs).
FRONTEND_EXTRA='    auth: {ask: session.check}'
. "$EXO_TOP_SRCDIR/tests/websocket/ws-lib.sh"
make_ws_app
# The service also answers the auth step: tok-NAME is user NAME, anything else is refused.
sed -i -e 's/^    receives: \[echo.answer, echo.pushed, echo.chunk\]/    receives: [echo.answer, echo.pushed, echo.chunk, session.checked]/' -e 's/^    sends: \[echo.ask, /    sends: [session.check, echo.ask, /' "$app/application.yml"
sed -i 's/^  receives: \[echo.ask, /  receives: [session.check, echo.ask, /; s/^  sends: \[echo.answer, /  sends: [session.checked, echo.answer, /' "$app/echo/service.yml"
python3 - "$app/echo/echo.py" <<'PYEOF'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace('print("echo online", flush=True)', '''@svc.on("session.check")
def check(msg):
    cred = (msg.payload or {}).get("credential", "")
    ok = cred.startswith("tok-") and len(cred) > 4
    svc.reply(msg, "session.checked", {"user": cred[4:]} if ok else {"refused": True})

print("echo online", flush=True)''')
open(p, "w").write(s)
PYEOF
start_app
node_test auth.mjs "$PORT"
stop_app
pass "auth: ask through the websocket frontend"
