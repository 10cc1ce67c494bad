#!/bin/bash
# The todo example generated for Kubernetes and played by Debian's podman 4.3 (`podman kube
# play`) on private storage: `exo generate kubernetes`, exo staged into the bus image's
# context, the bus image built with podman and the services' with `exo build --backend podman`
# under the names and tags the manifests give, then each
# part played: the bus and the services come up and messages sent through the bus get their
# replies from the store and the stats service. `podman kube down` removes every pod.
#
# What podman 4.3 does not do as a cluster would, and how the test stands in for it (see
# docs/deploy.md):
# - Services: podman accepts them but gives no DNS name; each part is played on one network
#   with the name of its Service as a network alias (`--network NET:alias=NAME`).
# - Secrets: `kind: Secret` is stored, but podman 4.3 cannot read it back for envFrom (it
#   stores the YAML and expects JSON); the test makes each Secret a podman secret in the JSON
#   form podman reads (key -> base64 value) and plays the other files.
# The images build FROM debian:bookworm-slim, here a Debian minbase built by debootstrap.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/support/engines.sh"
. "$EXO_TOP_SRCDIR/tests/support/debian-base.sh"
. "$EXO_TOP_SRCDIR/tests/support/generated-todo.sh"
generated_todo_require || exit $?
command -v catatonit >/dev/null || {
  [ -n "${EXO_TEST_REQUIRE_ALL:-}" ] && fail "catatonit is not installed (podman's pods need it)"
  echo "skip: catatonit is not installed"; exit 77; }
$PY -c 'import yaml' 2>/dev/null || fail "python3-yaml is not installed"
engines_require podman; r=$?
[ $r = 0 ] || exit $r
debian_base_require; r=$?
[ $r = 0 ] || exit $r

app=$T/todo
out=$app/deploy/kubernetes
net=exo-kube-test
parts="bus web todos stats"
down() {
  local p
  for p in $parts; do podman kube down "$out/$p.yaml" >/dev/null 2>&1; done
}
trap 'down; engine_podman_stop; lib_cleanup' EXIT

base=$(generated_todo_base) ||
  fail "building the Debian base image"
engine_podman_start "$T" || fail "podman did not start"
engine_import_debian podman debian:bookworm-slim "$base" || fail "importing the base into podman"

generated_todo_app "$app" kubernetes

# The images, named as the manifests name them (docs/deploy.md: build, tag, push).
build() {
  podman build -q -t "$1" -f "$2" "$3" >"$T/build.log" 2>&1 || { tail -20 "$T/build.log"; fail "podman build $1"; }
}
build todo-bus:1.0.0 "$out/bus/Dockerfile" "$app"
"$EXO_BIN" build --app "$app" --backend podman >"$T/exo-build.log" 2>&1 ||
  { tail -30 "$T/exo-build.log"; fail "exo build --backend podman"; }
for p in $parts; do
  grep -q "image: \"todo-$p:1.0.0\"" "$out/$p.yaml" || fail "$p.yaml does not run image todo-$p:1.0.0"
done

# Each Secret as a podman secret in the form podman 4.3 reads.
for f in "$out"/secrets/*.yaml; do
  $PY - "$f" >"$T/secret.json" <<'PYEOF' || fail "reading $f"
import base64, json, sys, yaml
doc = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d][0]
assert doc["kind"] == "Secret"
print(doc["metadata"]["name"])
print(json.dumps({k: base64.b64encode(v.encode()).decode() for k, v in doc["stringData"].items()}))
PYEOF
  name=$(head -1 "$T/secret.json")
  tail -1 "$T/secret.json" | podman secret create "$name" - >/dev/null || fail "podman secret create $name"
done

podman network create "$net" >/dev/null || fail "podman network create"
for p in $parts; do
  podman kube play --network "$net:alias=$p" "$out/$p.yaml" >"$T/play-$p.log" 2>&1 ||
    { cat "$T/play-$p.log"; fail "podman kube play $p.yaml"; }
done
pods=$(podman pod ps --format '{{.Name}}' | sort | tr '\n' ' ')
[ "$pods" = "bus-pod-0 stats-pod-0 todos-pod-0 web-pod-0 " ] || fail "pods: $pods"
pass "podman kube play: a pod for the bus and each service"

kube_diag() {
  podman ps -a
  for c in $(podman ps -a --format '{{.Names}}' | grep -v infra); do
    echo "== $c"; podman logs --tail 20 "$c" 2>&1
  done
}
generated_todo_round_trip "podman exec bus-pod-0-bus" kube_diag
podman exec todos-pod-0-todos sh -c 'echo "$EXO_BUS_ENDPOINT $EXO_ROLE ${#EXO_BUS_TOKEN}"' \
  >"$T/env" 2>&1 || fail "podman exec todos: $(cat "$T/env")"
[ "$(cat "$T/env")" = "tcp://bus:7777 todos 64" ] || fail "the store's environment: $(cat "$T/env")"
pass "the store has its ConfigMap and its Secret"

for p in $parts; do
  podman kube down "$out/$p.yaml" >"$T/down.log" 2>&1 || { cat "$T/down.log"; fail "podman kube down $p.yaml"; }
done
[ -z "$(podman pod ps -q)" ] || fail "pods left: $(podman pod ps)"
[ -z "$(podman ps -aq)" ] || fail "containers left: $(podman ps -a)"
[ -z "$(podman volume ls -q)" ] || fail "volumes left: $(podman volume ls)"
pass "podman kube down removed every pod and container"
