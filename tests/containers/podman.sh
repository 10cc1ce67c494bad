#!/bin/bash
# The podman backend plugin against podman with private storage and configuration: the same
# checks as docker.sh, through the same test program.
. "$EXO_TOP_SRCDIR/tests/support/engines.sh"
engines_require podman || exit $?
tmp=$(mktemp -d /tmp/exo-podman-XXXXXX)
trap 'engine_podman_stop; rm -rf "$tmp"' EXIT
engine_podman_start "$tmp" || exit 1
engine_import_busybox podman exo-busybox:test || exit 1
EXO_TEST_BACKEND=podman EXO_TEST_ENGINE=podman EXO_TEST_BASE_IMAGE=exo-busybox:test \
    "$EXO_TOP_BUILDDIR/tests/containers/test_container_backend"
