# tests/frontend/lib.sh - what the frontend tests share. Source it after run-lib.sh.

# free_port: a loopback port that was free a moment ago.
free_port() {
    $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# todo_service DIR [SERVICE.YML LINES]: a real service in DIR (Python, exo_service.py)
# that answers todo.create {"title"} with todo.created {"title"}; ready when it says
# "todos online".
todo_service() {
    service "$1" "startup: {command: $PY -u svc.py, online-text: todos online}
messages: {receives: [todo.create], sends: [todo.created]}${2:+
$2}"
    cat >"$1/svc.py" <<'PYEOF'
import exo_service
svc = exo_service.Service()
svc.on("todo.create", lambda m: svc.reply(m, "todo.created", {"title": m.payload["title"]}))
svc.run()
PYEOF
}

# kill_frontend RUN_PID ROLE LOG: SIGKILL the exo frontend ROLE that exo run RUN_PID started,
# and wait until LOG says it was restarted and is ready again.
kill_frontend() {
    local fe ready
    fe=$(ps -o pid= -o args= --ppid "$1" | awk -v role="$2" '$3 == "frontend" && $4 == role {print $1}')
    [ -n "$fe" ] || { ps -o pid,args --ppid "$1" >&2; fail "no exo frontend $2 under exo run"; }
    ready=$(grep -c "$2 ready in" "$3")
    kill -KILL "$fe"
    wait_for "$3" "$2 was killed by signal 9 \(SIGKILL\); restarting" 10
    for _ in $(seq 200); do [ "$(grep -c "$2 ready in" "$3")" -gt "$ready" ] && return 0; sleep 0.05; done
    cat "$3" >&2
    fail "$2 not ready again after its restart"
}
