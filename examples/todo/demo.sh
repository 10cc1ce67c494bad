#!/bin/sh
# examples/todo/demo.sh - the todo app end to end: build it (exo setup), bring it up
# (exo run, in the background), drive it with `exo send --wait` as the front end would, print
# the replies, show what the services logged, and take it down again.
#
# Run it from a built source tree (./configure && make) or with exo installed on PATH.
# POSIX sh: `sh examples/todo/demo.sh` (bootstrap.sh demo) works as well as bash.
#
# `demo.sh --backend docker` (or podman) runs the same app in containers: each service's
# Dockerfile builds its image FROM debian:bookworm-slim (the engine must have it or reach a
# registry), with the store binary and the exo client that `exo setup` left in the service
# directories.
set -u
backend=process
case "${1:-}" in
  --backend) backend=${2:?demo: --backend needs a name (process, docker, podman)} ;;
  --backend=*) backend=${1#--backend=} ;;
  "") ;;
  *) echo "usage: demo.sh [--backend process|docker|podman]" >&2; exit 1 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
top=${EXO_TOP_BUILDDIR:-$(cd "$here/../.." && pwd)}
src=${EXO_TOP_SRCDIR:-$top}

if [ -z "${EXO_BIN:-}" ] && [ -x "$top/exo" ]; then
  # A build tree: use its exo, plugins, python client and libexoservice.
  # Only the build tree's plugins: an installed exo's would be found as well otherwise.
  EXO_BIN=$top/exo
  export EXO_PLUGIN_PATH=$top/plugins/.libs EXO_NO_INSTALLED_PLUGINS=1
fi
if [ -x "$top/exo" ] && [ "${EXO_BIN:-}" = "$top/exo" ]; then
  export EXO_PYTHON_DIR=${EXO_PYTHON_DIR:-$src/plugins/transport-zmq/python}
  export EXO_CFLAGS=${EXO_CFLAGS:-"-I$src/plugins/transport-zmq/include -I$src/plugin-api -I$top/plugin-api"}
  libdir=$top/plugins/transport-zmq/.libs
  export EXO_LIBS=${EXO_LIBS:-"-L$libdir -Wl,-rpath,$libdir -lexoservice"}
fi
EXO_BIN=${EXO_BIN:-exo}
command -v "$EXO_BIN" > /dev/null || { echo "demo: no exo found; build the tree first" >&2; exit 1; }

work=$(mktemp -d /tmp/exo-todo-demo.XXXXXX)
log=$work/run.log
exo_pid=
finish() {
  if [ -n "$exo_pid" ] && kill -0 "$exo_pid" 2>/dev/null; then
    kill -INT "$exo_pid"; wait "$exo_pid"
  fi
  rm -rf "$work"
}
trap finish EXIT

say() { printf '\n== %s\n' "$*"; }
send() {
  if [ $# -gt 1 ]; then echo "\$ exo send --as web $1 '$2' --wait"; else echo "\$ exo send --as web $1 --wait"; fi
  "$EXO_BIN" send --app "$here" --as web "$@" --wait ||
    { echo "demo: exo send failed; the app's output:" >&2; cat "$log" >&2; exit 1; }
}

say "exo setup: building the C store against libexoservice"
"$EXO_BIN" setup --app "$here" || exit 1

say "exo run: starting the app in the background ($backend backend)"
"$EXO_BIN" run --app "$here" --backend "$backend" > "$log" 2>&1 &
exo_pid=$!
i=0
# Container backends build the images first: allow them minutes, processes 30 s.
limit=300
[ "$backend" = process ] || limit=3000
while [ $i -lt $limit ]; do
  grep -q 'all services ready' "$log" && break
  kill -0 "$exo_pid" 2>/dev/null || break
  sleep 0.1
  i=$((i + 1))
done
cat "$log"
grep -q 'all services ready' "$log" || { echo "demo: the app did not come up" >&2; exit 1; }

say "driving it as the front end would (request/reply over the bus)"
send todo.create '{"text": "buy milk"}'
send todo.create '{"text": "write the report"}'
send todo.list
send stats.get

say "stopping the app (Ctrl-C)"
kill -INT "$exo_pid"
wait "$exo_pid"
rc=$?
exo_pid=
echo "exo run exited with status $rc"

say "what the services and the bus logged"
sed -n '/all services ready/,$p' "$log" | grep -v 'all services ready'
exit $rc
