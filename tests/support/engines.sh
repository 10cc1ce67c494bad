# tests/support/engines.sh - start and stop private container engines for tests, and build the
# tiny base images they need without any registry. Source it from a test script:
#
#   . "$EXO_TOP_SRCDIR/tests/support/engines.sh"
#   engines_require docker || exit $?    # 77 (skip) or 1 (EXO_TEST_REQUIRE_ALL set)
#   engine_docker_start "$tmp"           # exports DOCKER_HOST; stop with engine_docker_stop
#   engine_import_busybox docker exo-busybox:test
#
# Every engine runs as root with its own sockets, data and state under the given directory
# (docs/testing.md says why): dockerd with vfs storage and no iptables, podman with
# runc, cgroupfs, bounded ulimits and vfs storage. Nothing is cached across runs: importing
# the busybox image takes about a second, so the tests always work from nothing.

# engines_require ENGINE: return 0 when ENGINE can run here; otherwise print why and return
# 77 (skip) or 1 when EXO_TEST_REQUIRE_ALL is set.
engines_require() {
    local missing=""
    case "$1" in
        docker) for b in dockerd docker busybox; do command -v $b >/dev/null || missing="$missing $b"; done ;;
        podman) for b in podman runc busybox; do command -v $b >/dev/null || missing="$missing $b"; done ;;
    esac
    [ "$(id -u)" = 0 ] || missing="$missing root"
    if [ -n "$missing" ]; then
        echo "engines: $1 needs:$missing (packages docker.io podman runc busybox-static, as root)"
        [ -n "$EXO_TEST_REQUIRE_ALL" ] && return 1
        return 77
    fi
    return 0
}

# engines_require_both: docker and podman, as engines_require; use `engines_require_both || exit`.
engines_require_both() {
    local e r
    for e in docker podman; do
        engines_require $e; r=$?
        [ $r = 0 ] || return $r
    done
}

# engine_docker_start DIR: dockerd with everything under DIR; exports DOCKER_HOST.
# Each test starts a private engine, but bridges, subnets and routes live in the one host
# network namespace: two private engines would pick the same bridge name or subnet, and one
# removing a bridge while the other scans the routes makes the scan fail. So container tests
# take turns: one lock for all engines, held from the first engine start until the test exits
# or stops its last engine.
ENGINE_LOCK_FD=""
ENGINE_LOCK_HOLDERS=0
engine_lock() {
    if [ "$ENGINE_LOCK_HOLDERS" -eq 0 ]; then
        exec {ENGINE_LOCK_FD}>/tmp/exo-engines.lock
        flock "$ENGINE_LOCK_FD"
    fi
    ENGINE_LOCK_HOLDERS=$((ENGINE_LOCK_HOLDERS + 1))
}

engine_unlock() {
    [ "$ENGINE_LOCK_HOLDERS" -gt 0 ] || return 0
    ENGINE_LOCK_HOLDERS=$((ENGINE_LOCK_HOLDERS - 1))
    if [ "$ENGINE_LOCK_HOLDERS" -eq 0 ]; then
        eval "exec ${ENGINE_LOCK_FD}>&-"
    fi
}

engine_docker_start() {
    engine_lock docker
    local d="$1/dockerd"
    mkdir -p "$d/data" "$d/exec"
    # dockerd refuses exec roots with long paths (the containerd socket lives there).
    dockerd --iptables=false --ip6tables=false --storage-driver=vfs \
        --host "unix://$d/docker.sock" --data-root "$d/data" --exec-root "$d/exec" \
        --pidfile "$d/dockerd.pid" --bridge=none >"$d/dockerd.log" 2>&1 &
    ENGINE_DOCKERD_PID=$!
    ENGINE_DOCKER_DIR="$d"
    export DOCKER_HOST="unix://$d/docker.sock"
    local i
    for i in $(seq 1 150); do
        if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
            return 0
        fi
        kill -0 "$ENGINE_DOCKERD_PID" 2>/dev/null || break
        sleep 0.2
    done
    echo "engines: dockerd did not come up; its log:" >&2
    tail -20 "$d/dockerd.log" >&2
    return 1
}

engine_docker_stop() {
    [ -n "$ENGINE_DOCKER_DIR" ] || return 0
    local pid
    pid=$(cat "$ENGINE_DOCKER_DIR/dockerd.pid" 2>/dev/null || echo "$ENGINE_DOCKERD_PID")
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
        echo "engines: dockerd (pid $pid) died before the test ended; its log:" >&2
        tail -15 "$ENGINE_DOCKER_DIR/dockerd.log" >&2
    fi
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        # Containers first, so that dockerd does not wait for them on shutdown,
        # and networks, whose bridges would outlive a stopped dockerd with their addresses.
        docker ps -aq | xargs -r docker rm -f >/dev/null 2>&1
        docker network prune -f >/dev/null 2>&1
        kill "$pid"
        local i
        for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null
    fi
    # vfs layers can hold mounts (shm) when a container was killed hard.
    grep -o " $ENGINE_DOCKER_DIR[^ ]*" /proc/mounts 2>/dev/null | sort -r | xargs -r -n1 umount -l 2>/dev/null
    ENGINE_DOCKER_DIR=""
    engine_unlock docker
}

# engine_podman_start DIR: podman configuration and storage under DIR; exports CONTAINERS_CONF
# and CONTAINERS_STORAGE_CONF (podman is daemonless: nothing runs until a command does).
engine_podman_start() {
    engine_lock podman
    local d="$1/podman"
    mkdir -p "$d/storage" "$d/run" "$d/tmp" "$d/networks"
    cat >"$d/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$d/tmp"
[network]
network_config_dir = "$d/networks"
CONF
    cat >"$d/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$d/storage"
runroot = "$d/run"
CONF
    export CONTAINERS_CONF="$d/containers.conf" CONTAINERS_STORAGE_CONF="$d/storage.conf"
    ENGINE_PODMAN_DIR="$d"
    podman info >/dev/null 2>"$d/info.err" || { cat "$d/info.err" >&2; return 1; }
}

engine_podman_stop() {
    [ -n "$ENGINE_PODMAN_DIR" ] || return 0
    podman ps -aq | xargs -r podman rm -f -t 0 >/dev/null 2>&1
    podman network ls -q --filter label=exo.app 2>/dev/null | xargs -r podman network rm -f >/dev/null 2>&1
    podman system reset -f >/dev/null 2>&1 || true
    grep -o " $ENGINE_PODMAN_DIR[^ ]*" /proc/mounts 2>/dev/null | sort -r | xargs -r -n1 umount -l 2>/dev/null
    ENGINE_PODMAN_DIR=""
    engine_unlock podman
}

# engine_import_busybox ENGINE NAME:TAG: a busybox-static rootfs with every applet linked.
engine_import_busybox() {
    local engine="$1" name="$2" root
    root=$(mktemp -d /tmp/exo-rootfs-XXXXXX)
    mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/proc" "$root/sys" "$root/dev"
    cp "$(command -v busybox)" "$root/bin/busybox"
    local a
    for a in $("$root/bin/busybox" --list); do
        [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
    done
    mkdir -p "$root/usr/bin" "$root/sbin" "$root/usr/sbin"
    echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"
    echo 'root:x:0:' >"$root/etc/group"
    tar -C "$root" -cf - . | "$engine" import -c 'ENV PATH=/bin:/usr/bin:/sbin:/usr/sbin' - "$name" \
        >/dev/null 2>"$root.err"
    local rc=$?
    [ $rc = 0 ] || cat "$root.err" >&2
    rm -f "$root.err"
    rm -rf "$root"
    return $rc
}

# engine_import_host_binary ENGINE NAME:TAG BINARY...: an image holding host-built binaries and
# the shared libraries ldd lists for them (plus busybox for a shell), entrypoint-free.
engine_import_host_binary() {
    local engine="$1" name="$2" root
    shift 2
    root=$(mktemp -d /tmp/exo-rootfs-XXXXXX)
    mkdir -p "$root/bin" "$root/tmp" "$root/etc"
    cp "$(command -v busybox)" "$root/bin/busybox"
    for a in sh echo cat sleep; do ln -s busybox "$root/bin/$a"; done
    local bin lib
    for bin in "$@"; do
        cp "$bin" "$root/bin/"
        for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
            mkdir -p "$root$(dirname "$lib")"
            cp -L "$lib" "$root$lib"
            # Libraries found through LD_LIBRARY_PATH (a build tree) go where ld.so looks.
            case "$lib" in
                /lib/*|/lib64/*|/usr/lib/*) ;;
                *) mkdir -p "$root/usr/lib"; cp -L "$lib" "$root/usr/lib/" ;;
            esac
        done
    done
    tar -C "$root" -cf - . | "$engine" import -c 'ENV PATH=/bin' - "$name" >/dev/null 2>"$root.err"
    local rc=$?
    [ $rc = 0 ] || cat "$root.err" >&2
    rm -f "$root.err"
    rm -rf "$root"
    return $rc
}
