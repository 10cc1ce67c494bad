# core/bus.mk: the core side of the message bus (embedded broker, bus.json, trace lines) and
# the commands exo bus / exo send / exo tail. The broker itself is plugins/transport-zmq.
core_libexocore_la_SOURCES += core/bus.h core/bus.c
exo_SOURCES += core/cmd_bus.c core/cmd_send.c core/cmd_tail.c

TESTS += tests/bus/cli.sh
EXTRA_DIST += tests/bus/cli.sh

check_PROGRAMS += tests/unit/test_bus
tests_unit_test_bus_SOURCES = tests/unit/test_bus.c tests/support/cunit_main.h
tests_unit_test_bus_CFLAGS = $(EXO_TEST_CCFLAGS) \
	-DEXO_TEST_PLUGIN_DIR='"$(abs_top_builddir)/plugins/.libs"'
tests_unit_test_bus_LDADD = $(EXO_TEST_LINK)
TESTS += tests/unit/test_bus
