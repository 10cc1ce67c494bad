# tests/support/debian-base.sh - a Debian 12 (bookworm) base image for container tests, built
# here because nothing can be pulled from a registry. Source it after engines.sh:
#
#   . "$EXO_TOP_SRCDIR/tests/support/debian-base.sh"
#   debian_base_require || exit $?                 # debootstrap present (77/1 otherwise)
#   tar=$(debian_base_tar python3-zmq libjansson4) || fail "..."
#   engine_import_debian docker debian:bookworm-slim "$tar"
#
# The root filesystem is `debootstrap --variant=minbase bookworm` from the machine's own Debian
# mirror plus the packages asked for (installed in a chroot with apt-get, since debootstrap's
# --include cannot resolve virtual dependencies), without apt's caches, lists and the docs.
# It is cached as a tar in $EXO_TEST_CACHE (default /var/cache/exo-tests), one per package
# list, so a machine builds it once (about a minute); a missing cache is rebuilt, so the tests
# always work from nothing. A lock keeps parallel tests from building the same one twice.

EXO_TEST_CACHE=${EXO_TEST_CACHE:-/var/cache/exo-tests}

debian_base_require() {
    local missing=""
    local b
    for b in debootstrap chroot flock tar; do
        command -v $b >/dev/null || missing="$missing $b"
    done
    if [ -n "$missing" ]; then
        echo "debian-base: needs:$missing (packages debootstrap coreutils util-linux tar)"
        [ -n "$EXO_TEST_REQUIRE_ALL" ] && return 1
        return 77
    fi
    return 0
}

# The first Debian mirror apt uses on this machine (deb822 or one-line sources).
debian_base_mirror() {
    local m
    m=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
        grep -v security | head -1)
    [ -n "$m" ] || m=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' \
        /etc/apt/sources.list 2>/dev/null | grep -v security | head -1)
    echo "${m:-http://deb.debian.org/debian}"
}

# debian_base_tar PKG...: print the path of the cached root filesystem tar with PKGs,
# building it when missing. Progress and errors go to stderr.
debian_base_tar() {
    local key
    # v2: the recipe's version; change it when the recipe changes so caches are rebuilt.
    key=$(printf '%s\n' v2 "$@" | sort -u | tr '\n' ' ' | md5sum | cut -c1-12)
    local tar="$EXO_TEST_CACHE/bookworm-minbase-$key.tar"
    mkdir -p "$EXO_TEST_CACHE" || return 1
    (
        flock 9
        [ -s "$tar" ] && exit 0
        echo "debian-base: building bookworm minbase with: $* (cached in $tar)" >&2
        local root
        root=$(mktemp -d "$EXO_TEST_CACHE/root.XXXXXX") || exit 1
        local log="$root.log"
        if ! debootstrap --variant=minbase bookworm "$root" "$(debian_base_mirror)" \
                >"$log" 2>&1; then
            echo "debian-base: debootstrap failed; its log:" >&2
            tail -15 "$log" >&2
            rm -rf "$root" "$log"
            exit 1
        fi
        cp /etc/resolv.conf "$root/etc/resolv.conf"
        # Packages with services (postgresql, redis-server) must not start them in the chroot.
        printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
        chmod 755 "$root/usr/sbin/policy-rc.d"
        if [ $# -gt 0 ] && ! DEBIAN_FRONTEND=noninteractive chroot "$root" \
                apt-get install -y -q --no-install-recommends "$@" >>"$log" 2>&1; then
            echo "debian-base: apt-get install $* in the chroot failed; its log:" >&2
            tail -15 "$log" >&2
            rm -rf "$root" "$log"
            exit 1
        fi
        chroot "$root" apt-get clean >/dev/null 2>&1
        rm -f "$root/usr/sbin/policy-rc.d"
        rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
            "$root"/usr/share/locale/* "$root"/var/log/*.log "$root"/var/cache/debconf/*-old
        : >"$root/etc/resolv.conf"
        chmod 755 "$root" # mktemp made it 0700: it becomes /, which every user must traverse
        tar -C "$root" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
        local rc=$?
        rm -rf "$root" "$log" "$tar.tmp"
        exit $rc
    ) 9>"$EXO_TEST_CACHE/.lock" || return 1
    echo "$tar"
}

# engine_import_debian ENGINE NAME:TAG TAR: import the root filesystem as an image with
# Debian's default PATH, as the registry's debian images have.
engine_import_debian() {
    "$1" import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        -c 'CMD ["bash"]' "$3" "$2" >/dev/null
}

# engine_import_postgres ENGINE NAME:TAG TAR: import a root filesystem that has a postgresql
# package as an image following the stock postgres image's contract: initialise PGDATA when
# empty with POSTGRES_USER and POSTGRES_PASSWORD, accept password logins from the network,
# run as the postgres user.
engine_import_postgres() {
    local entry cmd
    entry='set -e
PGDATA=${PGDATA:-/var/lib/postgresql/data}
bin=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
mkdir -p "$PGDATA"; chown postgres:postgres "$PGDATA"; chmod 700 "$PGDATA"
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  printf "%s\n" "$POSTGRES_PASSWORD" > /tmp/pw; chown postgres /tmp/pw
  as_pg "$bin/initdb" -D "$PGDATA" -U "${POSTGRES_USER:-postgres}" --pwfile=/tmp/pw \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f /tmp/pw
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups "$bin/postgres" -D "$PGDATA" \
  -c listen_addresses="*" -c unix_socket_directories=/tmp'
    cmd=$(/usr/bin/python3 -c 'import json, sys; print(json.dumps(["/bin/sh", "-c", sys.argv[1]]))' "$entry") || return 1
    "$1" import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        -c 'ENV PGDATA=/var/lib/postgresql/data' -c "CMD $cmd" "$3" "$2" >/dev/null
}
