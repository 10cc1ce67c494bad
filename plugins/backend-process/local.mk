# plugins/backend-process: the `process` backend plugin and its CUnit test.
plugin_LTLIBRARIES += plugins/backend_process.la
plugins_backend_process_la_SOURCES = plugins/backend-process/process.c \
	plugins/backend-process/proctree.c plugins/backend-process/proctree.h
plugins_backend_process_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS)
plugins_backend_process_la_LDFLAGS = $(EXO_PLUGIN_LINK)
plugins_backend_process_la_LIBADD = $(JANSSON_LIBS)

# The test compiles the plugin source in (its only export is exo_plugin_describe) and drives it
# through a real host on the core loop.
check_PROGRAMS += tests/unit/test_backend_process
tests_unit_test_backend_process_SOURCES = tests/unit/test_backend_process.c \
	plugins/backend-process/process.c plugins/backend-process/proctree.c \
	plugins/backend-process/proctree.h tests/support/test_host.c tests/support/test_host.h \
	tests/support/cunit_main.h
tests_unit_test_backend_process_CFLAGS = $(EXO_TEST_CCFLAGS)
tests_unit_test_backend_process_LDADD = $(EXO_TEST_LINK) $(JANSSON_LIBS) -ldl
TESTS += tests/unit/test_backend_process
