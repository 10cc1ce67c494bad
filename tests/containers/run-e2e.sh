# tests/containers/run-e2e.sh - the body of run-docker.sh and run-podman.sh: `exo run` and
# `exo test` with --backend $ENGINE on the pingpong app. Sourced with ENGINE set.
e2e_engine_up "$ENGINE"
A=$T/app
e2e_app "$A"
e2e_outsider

# 0. An engine that is not there is reported, with how to start it, before anything starts.
if [ "$ENGINE" = docker ]; then
  DOCKER_HOST=unix://$T/nothing.sock "$EXO_BIN" run --app "$A" --backend docker > "$T/noengine" 2>&1
else
  EXO_PODMAN=$T/no-podman "$EXO_BIN" run --app "$A" --backend podman > "$T/noengine" 2>&1
fi
RC=$?
[ "$RC" = 1 ] || { cat "$T/noengine"; fail "exo run without an engine exited $RC"; }
expect_line "$T/noengine" 'cannot (reach the Docker engine|run .*podman).*(Start it|Install the podman)'
expect_no_line "$T/noengine" 'ready'

# 1. Messages round-trip through the broker on the host; output is prefixed per role.
"$EXO_BIN" run --app "$A" --backend "$ENGINE" > "$T/out" 2>&1 &
EXO=$!
wait_for "$T/out" 'all services ready' 120
wait_for "$T/out" '^ *ping \| got pong from pong' 30
wait_for "$T/out" '^ *pong \| got ping from ping' 30
[ -n "$(containers_of pingpong)" ] || fail "no labelled containers while running"
[ -n "$(networks_of pingpong)" ] || fail "no labelled network while running"

# 2. Ctrl-C removes every container and network of the app, and nothing else.
kill -INT $EXO
wait_exit $EXO 60
[ "$RC" = 0 ] || fail "exo run exited $RC after Ctrl-C"
[ -z "$(containers_of pingpong)" ] || fail "containers left after Ctrl-C: $(containers_of pingpong)"
[ -z "$(networks_of pingpong)" ] || fail "networks left after Ctrl-C"
e2e_outsider_alive
pass "$ENGINE: run, round trip, prefixed logs, Ctrl-C cleanup"

# 3. A killed exo leaves containers; the next run removes them before it starts.
"$EXO_BIN" run --app "$A" --backend "$ENGINE" > "$T/out2" 2>&1 &
EXO=$!
wait_for "$T/out2" 'all services ready' 120
kill -9 $EXO
wait_exit $EXO 10
[ -n "$(containers_of pingpong)" ] || fail "expected leftovers after kill -9"
"$EXO_BIN" run --app "$A" --backend "$ENGINE" > "$T/out3" 2>&1 &
EXO=$!
wait_for "$T/out3" 'all services ready' 120
if [ "$ENGINE" = docker ]; then fmt='{{.Label "exo.run"}}'; else fmt='{{index .Labels "exo.run"}}'; fi
runs=$("$ENGINE" ps -a --filter label=exo.app=pingpong --format "$fmt" | sort -u | wc -l)
[ "$runs" = 1 ] || fail "containers of $runs runs present after the second start"
expect_line "$T/out3" "backend $ENGINE: removed 2 containers of app pingpong: .*\\(unit p[io]ng\\), .*\\(unit p[io]ng\\)"
kill -INT $EXO
wait_exit $EXO 60
[ -z "$(containers_of pingpong)$(networks_of pingpong)" ] || fail "leftovers after second run"
e2e_outsider_alive
pass "$ENGINE: leftovers of a killed run are cleaned up by the next"

# 3b. exo clean removes them too, also when no run is recorded, for the backend the manifest
#     names; what is not the app's stays.
cp "$A/application.yml" "$T/application.yml.orig"
sed -i "s/^name: pingpong\$/name: pingpong\nbackend: $ENGINE/" "$A/application.yml"
"$EXO_BIN" run --app "$A" > "$T/out4" 2>&1 &
EXO=$!
wait_for "$T/out4" 'all services ready' 120
kill -9 $EXO
wait_exit $EXO 10
rm -f "$A/.exo/run.json"
if [ "$ENGINE" = docker ]; then fmt='{{.Names}} {{.Label "exo.unit"}}'; else fmt='{{.Names}} {{index .Labels "exo.unit"}}'; fi
left_ctrs=$("$ENGINE" ps -a --filter label=exo.app=pingpong --format "$fmt" | sort)
left_nets=$("$ENGINE" network ls --filter label=exo.app=pingpong --format '{{.Name}}')
[ "$(echo "$left_ctrs" | wc -l)" = 2 ] && [ -n "$left_nets" ] ||
  fail "expected 2 containers and a network after kill -9: $left_ctrs / $left_nets"
"$EXO_BIN" clean --app "$A" > "$T/clean" 2>&1 || { cat "$T/clean"; fail "exo clean failed"; }
[ -z "$(containers_of pingpong)$(networks_of pingpong)" ] || fail "exo clean left containers"
# It says what it removed: every container with its unit, and the network, by name.
ctr_line=$(grep "^exo: info: backend $ENGINE: removed 2 containers of app pingpong: " "$T/clean") ||
  fail "exo clean did not list the containers: $(cat "$T/clean")"
while read -r name unit; do
  case "$ctr_line" in *"$name (unit $unit)"*) ;; *) fail "container $name ($unit) not listed: $ctr_line" ;; esac
done <<< "$left_ctrs"
expect_line "$T/clean" "^exo: info: backend $ENGINE: removed 1 network of app pingpong: $left_nets\$"
expect_line "$T/clean" '^cleaned pingpong: run state and logs removed$'
e2e_outsider_alive
cp "$T/application.yml.orig" "$A/application.yml"
pass "$ENGINE: exo clean removes the app's containers and networks"

# 4. A crashing container is restarted per its policy, as a new container each time.
C=$T/crashapp
mkdir -p "$C/crasher"
cat > "$C/application.yml" <<'YML'
name: crashapp
services:
  crasher:
    location: ./crasher
    restart: on-failure
    max-restarts: 2
YML
printf 'startup:\n  command: echo crash-start; sleep 0.5; exit 3\ndocker:\n  image: exo-busybox:test\n' \
  > "$C/crasher/service.yml"
"$EXO_BIN" run --app "$C" --backend "$ENGINE" > "$T/crash" 2>&1 &
EXO=$!
wait_for "$T/crash" 'crasher.*exited with code 3; restarting in [0-9]+ ms \(restart 2 of 2\)' 60
wait_for "$T/crash" 'crasher.*gave up after 2 restarts' 60
kill -INT $EXO 2>/dev/null
wait_exit $EXO 60
[ "$(grep -c 'crasher | crash-start' "$T/crash")" = 3 ] || { cat "$T/crash"; fail "expected 3 starts"; }
[ -z "$(containers_of crashapp)$(networks_of crashapp)" ] || fail "leftovers of the crashing app"
e2e_outsider_alive
pass "$ENGINE: a crashing container is restarted per its policy"

# 5. exo test runs each service's test command inside its image.
"$EXO_BIN" test --app "$A" --backend "$ENGINE" > "$T/test" 2>&1
RC=$?
cat "$T/test"
[ "$RC" = 1 ] || fail "exo test exited $RC with a failing service test"
expect_line "$T/test" 'pong tests run in [0-9a-f]+'
expect_line "$T/test" 'ping-tests-failing'
[ -z "$(containers_of pingpong)$(networks_of pingpong)" ] || fail "leftovers after exo test"
e2e_outsider_alive
pass "$ENGINE: exo test runs inside the image"

# 6. A build failure names the service; nothing is left running.
mkdir -p "$A/broken"
printf 'FROM exo-busybox:test\nRUN echo building && exit 4\n' > "$A/broken/Dockerfile"
printf 'startup:\n  command: sleep 600\n' > "$A/broken/service.yml"
cat >> "$A/application.yml" <<'YML'
  broken:
    location: ./broken
YML
"$EXO_BIN" run --app "$A" --backend "$ENGINE" > "$T/build" 2>&1
RC=$?
[ "$RC" != 0 ] || fail "exo run succeeded with a broken build"
expect_line "$T/build" 'broken.*(build failed|Step|STEP)'
[ -z "$(containers_of pingpong)$(networks_of pingpong)" ] || fail "leftovers after a build failure"
e2e_outsider_alive
"$ENGINE" rm -f "exo-outsider-$$" >/dev/null 2>&1
pass "$ENGINE: build failure reported with the service name"
