# core/run/: the run engine (session), a unit's spec from the model (unitspec), one unit's
# life (supervisor), a unit's environment, the run record, start times, --watch and output:
# orchestration over backend plugins. A library of its own, so that its unit tests link it.
noinst_LTLIBRARIES += core/libexorun.la
core_libexorun_la_SOURCES = \
	core/run/output.h core/run/output.c \
	core/run/masker.h core/run/masker.c \
	core/run/unitspec.h core/run/unitspec.c \
	core/run/supervisor.h core/run/supervisor.c \
	core/run/unitenv.h core/run/unitenv.c \
	core/run/busfeed.h core/run/busfeed.c \
	core/run/record.h core/run/record.c \
	core/run/starttimes.h core/run/starttimes.c \
	core/run/watch.h core/run/watch.c \
	core/run/appmodel.h core/run/appmodel.c \
	core/run/session.h core/run/session_int.h core/run/session_life.c core/run/session.c \
	core/run/session_env.c core/run/session_backend.c core/run/session_res.c \
	core/run/session_task.c core/run/session_watch.c core/run/session_log.c \
	core/run/session_observe.c \
	core/run/unitstats.h core/run/unitstats.c
# Public endpoints: pinned host ports, checked before the app starts, announced when ready.
core_libexorun_la_SOURCES += core/run/portcheck.h core/run/portcheck.c \
	core/run/session_public.c
TESTS += tests/run/public.sh
EXTRA_DIST += tests/run/public.sh
core_libexorun_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)

exo_LDADD += core/libexorun.la

# Integration tests: real processes, real signals.
EXO_RUN_TESTS = \
	tests/run/start.sh \
	tests/run/restart.sh \
	tests/run/shutdown.sh \
	tests/run/watch.sh \
	tests/run/instances.sh \
	tests/run/env.sh \
	tests/run/test.sh \
	tests/run/setup.sh \
	tests/run/clean.sh \
	tests/run/detached.sh
TESTS += $(EXO_RUN_TESTS)
EXTRA_DIST += $(EXO_RUN_TESTS) tests/support/run-lib.sh

# A resource plugin for tests/run/resources.sh (on that test's plugin path only).
check_LTLIBRARIES += tests/run/fixtures/resource_testres.la
tests_run_fixtures_resource_testres_la_SOURCES = tests/run/fixtures/testres.c
tests_run_fixtures_resource_testres_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS)
tests_run_fixtures_resource_testres_la_LDFLAGS = -module -avoid-version -shared -no-undefined \
	-rpath /nowhere
TESTS += tests/run/resources.sh tests/run/diagnostics.sh
EXTRA_DIST += tests/run/resources.sh tests/run/diagnostics.sh bench/run-startup.sh

# A backend that notes prepare() and start() calls, for tests/run/prepare.sh.
check_LTLIBRARIES += tests/run/fixtures/backend_journal.la
tests_run_fixtures_backend_journal_la_SOURCES = tests/run/fixtures/journal.c
tests_run_fixtures_backend_journal_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS)
tests_run_fixtures_backend_journal_la_LDFLAGS = -module -avoid-version -shared -no-undefined \
	-rpath /nowhere
TESTS += tests/run/prepare.sh
EXTRA_DIST += tests/run/prepare.sh

check_PROGRAMS += tests/unit/test_run
tests_unit_test_run_SOURCES = tests/unit/test_run.c tests/support/cunit_main.h \
	tests/support/test_app.h
tests_unit_test_run_CFLAGS = $(EXO_TEST_CCFLAGS)
tests_unit_test_run_LDADD = core/libexorun.la $(EXO_TEST_LINK)
TESTS += tests/unit/test_run

# A unit's CPU time and memory (exo run's dashboard): /proc, fake and real cgroups.
check_PROGRAMS += tests/unit/test_unitstats
tests_unit_test_unitstats_SOURCES = tests/unit/test_unitstats.c tests/support/cunit_main.h
tests_unit_test_unitstats_CFLAGS = $(EXO_TEST_CCFLAGS)
tests_unit_test_unitstats_LDADD = core/libexorun.la $(EXO_TEST_LINK)
TESTS += tests/unit/test_unitstats
