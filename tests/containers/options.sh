#!/bin/bash
# services.<role>.options on the container backends: cpus and memory reach the engine and the
# container's cgroup; an unknown option or a bad value stops exo before anything starts, with
# the role and the option named, and nothing is left behind. The image comes from service.yml's
# docker: section, which the core overlays with the options.
. "$EXO_TOP_SRCDIR/tests/support/run-lib.sh"
. "$EXO_TOP_SRCDIR/tests/support/engines.sh"
engines_require_both || exit
ENGINE=""
trap '[ -n "$ENGINE" ] && engine_${ENGINE}_stop; lib_cleanup' EXIT

# app DIR OPTIONS: one service that prints its cgroup limits, then its online text.
app() {
  mkdir -p "$1/lim"
  printf 'name: limits\nservices:\n  lim:\n    location: ./lim\n    options:\n%s\n' "$2" \
    > "$1/application.yml"
  service "$1/lim" "startup:
  command: cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/cpu.max; echo lim online; exec sleep 600
  online-text: lim online
docker:
  image: exo-busybox:test"
}

for ENGINE in docker podman; do
  "engine_${ENGINE}_start" "$T" || fail "$ENGINE did not start"
  engine_import_busybox "$ENGINE" exo-busybox:test || fail "importing busybox into $ENGINE"

  # 1. The limits apply: the engine records them and the container's cgroup enforces them.
  A=$T/$ENGINE-ok
  app "$A" "      cpus: 0.5
      memory: 64MiB"
  # One output file per engine: the background exo truncates its file only once it runs, and
  # wait_for must not see the previous engine's "all services ready" meanwhile.
  "$EXO_BIN" run --app "$A" --backend "$ENGINE" > "$T/$ENGINE-ok.out" 2>&1 &
  EXO=$!
  wait_for "$T/$ENGINE-ok.out" 'all services ready' 120
  expect_line "$T/$ENGINE-ok.out" '^ *lim \| 67108864$'
  expect_line "$T/$ENGINE-ok.out" '^ *lim \| 50000( 100000)?$'
  ID=$("$ENGINE" ps -q --filter label=exo.app=limits)
  [ -n "$ID" ] || fail "$ENGINE: no container for the app"
  GOT=$("$ENGINE" inspect --format '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}' "$ID")
  [ "$GOT" = "500000000 67108864" ] || fail "$ENGINE: inspect shows '$GOT'"
  kill -INT $EXO
  wait_exit $EXO 60
  [ "$RC" = 0 ] || fail "$ENGINE: exo run exited $RC after Ctrl-C"
  pass "$ENGINE: cpus and memory applied"

  # 2. Bad options: exit 1 before anything starts, the role and option named, nothing left.
  # Unknown keys and wrong types are the core's to report, at their line and column, against
  # the keys the backend declares; ranges are the backend's.
  for bad in "cpu: 2|application.yml:6:7: error: services\.lim\.options: unknown key 'cpu'; did you mean 'cpus'" \
             "memory: lots|application.yml:6:15: error: services\.lim\.options\.memory must be a size" \
             "memory: 1KiB|$ENGINE: services\.lim\.options\.memory must be a size of at least 6MiB" \
             "cpus: 0|$ENGINE: services\.lim\.options\.cpus must be a number from 0\.01" \
             "cpus: many|application.yml:6:13: error: services\.lim\.options\.cpus must be a number"; do
    A=$T/$ENGINE-bad
    rm -rf "$A"
    app "$A" "      ${bad%%|*}"
    "$EXO_BIN" run --app "$A" --backend "$ENGINE" > "$T/bad.out" 2>&1
    RC=$?
    [ "$RC" = 1 ] || { cat "$T/bad.out"; fail "$ENGINE: '${bad%%|*}' exited $RC, want 1"; }
    expect_line "$T/bad.out" "${bad#*|}"
    expect_no_line "$T/bad.out" 'lim online|ready in'
    [ -z "$("$ENGINE" ps -aq --filter label=exo.app=limits)" ] || fail "$ENGINE: container left"
    [ -z "$("$ENGINE" network ls -q --filter label=exo.app=limits)" ] ||
      fail "$ENGINE: network left after '${bad%%|*}'"
  done
  pass "$ENGINE: bad options refused before anything starts"
  "engine_${ENGINE}_stop"
done
ENGINE=""
