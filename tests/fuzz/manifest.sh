#!/bin/bash
# libFuzzer on application.yml + service.yml (loader, wiring check, routing table) for a
# bounded time; see tests/fuzz/fuzz_manifest.c.
. "$EXO_TOP_SRCDIR/tests/fuzz/suite.sh"
fuzz_suite manifest
