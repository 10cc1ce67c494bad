# tests/frontend/: frontends from the core's side (application.yml frontends:, exo frontend
# ROLE, a frontend as a unit of exo run), against the real broker and real processes.

# A frontend plugin speaking one line per message over TCP (tests only; on these tests'
# plugin path only).
check_LTLIBRARIES += tests/frontend/fixtures/frontend_lines.la
tests_frontend_fixtures_frontend_lines_la_SOURCES = tests/frontend/fixtures/lines.c
tests_frontend_fixtures_frontend_lines_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS)
tests_frontend_fixtures_frontend_lines_la_LDFLAGS = -module -avoid-version -shared \
	-no-undefined -rpath /nowhere

EXO_FRONTEND_TESTS = tests/frontend/check.sh tests/frontend/command.sh tests/frontend/run.sh \
	tests/frontend/run-http.sh
TESTS += $(EXO_FRONTEND_TESTS)
EXTRA_DIST += $(EXO_FRONTEND_TESTS) tests/frontend/lib.sh

check_PROGRAMS += tests/frontend/test_model
tests_frontend_test_model_SOURCES = tests/frontend/test_model.c tests/support/cunit_main.h \
	tests/support/test_app.h
tests_frontend_test_model_CFLAGS = $(EXO_TEST_CCFLAGS)
tests_frontend_test_model_LDADD = core/libexorun.la $(EXO_TEST_LINK)
TESTS += tests/frontend/test_model
