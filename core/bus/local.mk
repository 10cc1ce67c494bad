# core/bus/: the core side of the message bus (the embedded broker through the transport
# plugin, bus.json, trace lines). The broker itself is a transport plugin.
core_libexocore_la_SOURCES += core/bus/bus.h core/bus/bus.c core/bus/busclient.h \
	core/bus/busclient.c

TESTS += tests/bus/cli.sh tests/bus/send_payload.sh tests/bus/status.sh
EXTRA_DIST += tests/bus/cli.sh tests/bus/send_payload.sh tests/bus/status.sh

check_PROGRAMS += tests/unit/test_bus
tests_unit_test_bus_SOURCES = tests/unit/test_bus.c tests/support/cunit_main.h \
	tests/support/test_app.h
tests_unit_test_bus_CFLAGS = $(EXO_TEST_CCFLAGS) \
	-DEXO_TEST_PLUGIN_DIR='"$(abs_top_builddir)/plugins/.libs"' \
	-DEXO_TEST_BUS_FIXTURES='"$(abs_top_builddir)/tests/fixtures/plugins-bus/.libs:$(abs_top_builddir)/tests/fixtures/plugins-keys/.libs"'
tests_unit_test_bus_LDADD = $(EXO_TEST_LINK)
TESTS += tests/unit/test_bus

# A transport whose emit_env shows what the core passed it (test_bus; plugins-keys has one
# without emit_env).
check_LTLIBRARIES += tests/fixtures/plugins-bus/transport_envbus.la
tests_fixtures_plugins_bus_transport_envbus_la_SOURCES = \
	tests/fixtures/plugins-bus/transport_envbus.c
tests_fixtures_plugins_bus_transport_envbus_la_CFLAGS = $(EXO_FIXTURE_CCFLAGS)
tests_fixtures_plugins_bus_transport_envbus_la_LDFLAGS = $(EXO_FIXTURE_LINK)
tests_fixtures_plugins_bus_transport_envbus_la_LIBADD = $(JANSSON_LIBS)
