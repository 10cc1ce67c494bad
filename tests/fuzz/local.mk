# tests/fuzz/: libFuzzer targets for the manifest (fuzz_manifest.c) and template rendering
# (fuzz_template.c), built with clang by the scripts themselves. The suite runs each for a
# bounded time (EXO_FUZZ_SECONDS, 20) after its kept crashing inputs (regressions/NAME/);
# `make fuzz` runs them and the wire and batch decoders' targets for FUZZ_RUNS executions each
# (docs/testing.md, "Fuzzing").
TESTS += tests/fuzz/manifest.sh tests/fuzz/template.sh
EXTRA_DIST += tests/fuzz/manifest.sh tests/fuzz/template.sh tests/fuzz/suite.sh \
	tests/fuzz/fuzz-lib.sh tests/fuzz/run.sh tests/fuzz/fuzz_manifest.c \
	tests/fuzz/fuzz_template.c tests/fuzz/manifest.dict tests/fuzz/template.dict \
	tests/fuzz/corpus-manifest tests/fuzz/corpus-template tests/fuzz/regressions

FUZZ_RUNS = 10000000
FUZZ_TARGETS = wire batch manifest template
fuzz: all
	EXO_TOP_SRCDIR='$(abs_top_srcdir)' EXO_TOP_BUILDDIR='$(abs_top_builddir)' \
	  $(SHELL) $(top_srcdir)/tests/fuzz/run.sh $(FUZZ_RUNS) $(FUZZ_TARGETS)
.PHONY: fuzz
