# core/frontend/: a frontend's connection table, the core's side of the frontend ABI
# (exo/frontend.h) over the bus client of core/bus/busclient.h (docs/frontends.md).
core_libexocore_la_SOURCES += core/frontend/feconn.h core/frontend/feconn_int.h \
	core/frontend/feconn.c core/frontend/feact.c core/frontend/feroute.c \
	core/frontend/feopen.h core/frontend/feopen.c

# The table through the real zmq client, against busd and a service on libexoservice.
check_PROGRAMS += tests/unit/test_feconn
tests_unit_test_feconn_SOURCES = tests/unit/test_feconn.c tests/support/cunit_main.h
tests_unit_test_feconn_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/transport-zmq/include
tests_unit_test_feconn_CFLAGS = $(EXO_TEST_CCFLAGS) \
	-DEXO_TEST_PLUGIN_DIR='"$(abs_top_builddir)/plugins/.libs"' \
	-DEXO_TEST_BUSD='"$(abs_top_builddir)/plugins/transport-zmq/tests/busd"' \
	-DEXO_TEST_OLD_TRANSPORT_DIR='"$(abs_top_builddir)/tests/fixtures/plugins-bus/.libs"'
tests_unit_test_feconn_LDADD = plugins/transport-zmq/libexoservice.la $(EXO_TEST_LINK) \
	-lpthread
TESTS += tests/unit/test_feconn

# Opening a frontend plugin with an access token: the real http and websocket plugins.
check_PROGRAMS += tests/unit/test_feopen
tests_unit_test_feopen_SOURCES = tests/unit/test_feopen.c tests/support/cunit_main.h
tests_unit_test_feopen_CFLAGS = $(EXO_TEST_CCFLAGS) \
	-DEXO_TEST_PLUGIN_DIR='"$(abs_top_builddir)/plugins/.libs"'
tests_unit_test_feopen_LDADD = $(EXO_TEST_LINK)
TESTS += tests/unit/test_feopen
