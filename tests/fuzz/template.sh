#!/bin/bash
# libFuzzer on template.yml and template rendering for a bounded time; see
# tests/fuzz/fuzz_template.c.
. "$EXO_TOP_SRCDIR/tests/fuzz/suite.sh"
fuzz_suite template
