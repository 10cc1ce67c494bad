# plugins/resource-common: what the built-in resource plugins share (data directory, server
# unit and log, helper programs, settings, variables), built once and linked into each of them.
# Hidden like libexobase, so each plugin still exports only exo_plugin_describe.
noinst_LTLIBRARIES += plugins/resource-common/libresource_common.la
plugins_resource_common_libresource_common_la_SOURCES = \
	plugins/resource-common/datadir.h plugins/resource-common/datadir.c \
	plugins/resource-common/server.h plugins/resource-common/server.c \
	plugins/resource-common/helper.h plugins/resource-common/helper.c \
	plugins/resource-common/settings.h plugins/resource-common/settings.c \
	plugins/resource-common/vars.h plugins/resource-common/vars.c
plugins_resource_common_libresource_common_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS)

check_PROGRAMS += plugins/resource-common/tests/test_rescommon
TESTS += plugins/resource-common/tests/test_rescommon
plugins_resource_common_tests_test_rescommon_SOURCES = \
	plugins/resource-common/tests/test_rescommon.c \
	tests/support/test_host.c tests/support/test_host.h
plugins_resource_common_tests_test_rescommon_CFLAGS = $(EXO_TEST_CCFLAGS)
plugins_resource_common_tests_test_rescommon_LDADD = \
	plugins/resource-common/libresource_common.la $(EXO_TEST_LINK) $(JANSSON_LIBS) -ldl
