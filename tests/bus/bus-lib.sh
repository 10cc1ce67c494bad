# tests/bus/bus-lib.sh - start the broker (busd) and test services for bus tests, on the
# transport $EXO_BUS_TRANSPORT (zmq, the default, or nats: tests/bus/per-transport.sh runs a
# scenario on each). On nats, busd starts a nats-server, every role's units get their own
# secret and contract (svc), and clients started by hand use the user token and the contracts
# file in $EXO_NATS_STATE_DIR, as a service started by hand would.
. "$EXO_TOP_SRCDIR/tests/support/lib.sh"
BUSD="$EXO_TOP_BUILDDIR/plugins/transport-zmq/tests/busd"
TSVC="$EXO_TOP_BUILDDIR/plugins/transport-zmq/tests/tsvc"
PY=/usr/bin/python3
export EXO_PLUGIN_PATH

# start_bus ROUTES_JSON [ENDPOINT] [busd options...]: sets EP, CTL, BUS_PID, BUS_OUT, and
# exports EXO_BUS_TOKEN (the run's user token): the clients started after it register with it.
start_bus() {
  local routes="$1" ep="${2:-}"; shift; [ $# -gt 0 ] && shift
  printf '%s\n' "$routes" > "$T/routes.json"
  if [ "${EXO_BUS_TRANSPORT:-zmq}" = nats ]; then
    [ -e "$EXO_PLUGIN_PATH/transport_nats.so" ] || skip_or_fail "the nats transport was not built (install libnats-dev and run configure)"
    command -v nats-server >/dev/null || skip_or_fail "nats-server is not installed"
    export EXO_NATS_STATE_DIR="$T/nats"
    set -- "$@" $($PY -c 'import json,sys; print(" ".join("--env " + r for r in json.load(open(sys.argv[1]))["roles"]))' "$T/routes.json")
  fi
  BUS_OUT="$T/bus.$RANDOM.out"
  local vg=""
  if [ -n "${VALGRIND:-}" ] && [ "$VALGRIND" != 0 ]; then
    vg="$EXO_TOP_BUILDDIR/libtool --mode=execute valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
  fi
  bg "$BUS_OUT" $vg "$BUSD" serve --events "$@" "$T/routes.json" $ep
  BUS_PID=$BG_PID
  wait_for "$BUS_OUT" '^control ' 30
  EP=$(awk '/^endpoint /{print $2}' "$BUS_OUT")
  CTL=$(awk '/^control /{print $2}' "$BUS_OUT")
  EXO_BUS_TOKEN=$(awk '/^token /{print $2}' "$BUS_OUT"); export EXO_BUS_TOKEN
}

# use_bus_token APP_DIR: export EXO_BUS_TOKEN, the user token of APP_DIR/.exo/bus.json (a
# running `exo bus` or `exo run`), so that clients started by hand may register.
use_bus_token() {
  EXO_BUS_TOKEN=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' \
    "$1/.exo/bus.json") || fail "no token in $1/.exo/bus.json"
  export EXO_BUS_TOKEN
}

# stop_bus: SIGTERM the broker; fails the test when it exits non-zero (valgrind errors: 99).
stop_bus() {
  kill "$BUS_PID" 2>/dev/null; wait "$BUS_PID"; local rc=$?
  [ $rc = 0 ] || { cat "$BUS_OUT" >&2; fail "broker exited $rc"; }
}

# svc ROLE OUTFILE ARGS...: start a C test service as ROLE; sets $BG_PID.
svc() {
  local role="$1" out="$2"; shift 2
  if [ "${EXO_BUS_TRANSPORT:-zmq}" = nats ]; then
    EXO_ROLE="$role" EXO_APP=test EXO_BUS_ENDPOINT="$EP" EXO_BUS_TOKEN="$(role_env "$role" EXO_BUS_TOKEN)" \
      EXO_BUS_CONTRACT="$(role_env "$role" EXO_BUS_CONTRACT)" bg "$out" "$TSVC" "$@"
  else
    EXO_ROLE="$role" EXO_APP=test EXO_BUS_ENDPOINT="$EP" bg "$out" "$TSVC" "$@"
  fi
}

# role_env ROLE NAME: the value emit_env gave ROLE's units for NAME (busd serve --env).
role_env() {
  sed -n "s/^env $1 $2=//p" "$BUS_OUT"
}

# on_zmq: true on the zmq transport; guards the parts of a scenario only exo's own broker has
# (its log lines, its stats counters: docs/bus-nats.md "Observing the bus").
on_zmq() { [ "${EXO_BUS_TRANSPORT:-zmq}" = zmq ]; }

# free_port: a TCP port nobody listens on right now.
free_port() {
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
