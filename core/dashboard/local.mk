# core/dashboard/: the dashboard of `exo run` (docs/dashboard.md): a bounded model of the
# running app (dashstate) and its server, the websocket frontend plugin in the exo process
# (dashserve, dashcmd). Between run/ and cli/: it observes and steers a session.
noinst_LTLIBRARIES += core/libexodash.la
core_libexodash_la_SOURCES = \
	core/dashboard/dashstate.h core/dashboard/dashstate.c \
	core/dashboard/dashserve.h core/dashboard/dashserve_int.h core/dashboard/dashserve.c \
	core/dashboard/dashcmd.c
core_libexodash_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)

exo_LDADD += core/libexodash.la

check_PROGRAMS += tests/unit/test_dashstate
tests_unit_test_dashstate_SOURCES = tests/unit/test_dashstate.c tests/support/cunit_main.h \
	tests/support/test_app.h
tests_unit_test_dashstate_CFLAGS = $(EXO_TEST_CCFLAGS)
tests_unit_test_dashstate_LDADD = core/libexodash.la core/libexorun.la $(EXO_TEST_LINK)
TESTS += tests/unit/test_dashstate

# The protocol under exo run with node clients (tests/websocket/wsclient.mjs).
EXO_DASHBOARD_TESTS = tests/dashboard/protocol.sh tests/dashboard/off.sh
TESTS += $(EXO_DASHBOARD_TESTS)
EXTRA_DIST += $(EXO_DASHBOARD_TESTS) tests/dashboard/dash-lib.sh tests/dashboard/protocol.mjs
