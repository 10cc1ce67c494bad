#!/bin/bash
# exo run / exo test --backend docker end to end: bus round trip, prefixed logs, Ctrl-C and
# killed-run cleanup, tests inside the image, build failures. See run-e2e.sh.
. "$EXO_TOP_SRCDIR/tests/containers/e2e-lib.sh"
ENGINE=docker
. "$EXO_TOP_SRCDIR/tests/containers/run-e2e.sh"
