#!/bin/bash
# The docker backend plugin against a private dockerd: build, two units talking by name,
# output streams, exit codes, stop grace, cleanup of exactly the app, build failures.
. "$EXO_TOP_SRCDIR/tests/support/engines.sh"
engines_require docker || exit $?
tmp=$(mktemp -d /tmp/exo-docker-XXXXXX)
trap 'engine_docker_stop; rm -rf "$tmp"' EXIT
engine_docker_start "$tmp" || exit 1
engine_import_busybox docker exo-busybox:test || exit 1
EXO_TEST_BACKEND=docker EXO_TEST_ENGINE=docker EXO_TEST_BASE_IMAGE=exo-busybox:test \
    "$EXO_TOP_BUILDDIR/tests/containers/test_container_backend"
