# plugins/frontend-common: what the frontend plugins (http, websocket) share, built once as a
# convenience library linked into each, with hidden visibility so that each plugin still
# exports only exo_plugin_describe: libwebsockets on the host loop, HTTP responses, static
# files, credentials. Needs libwebsockets (configure --with-frontends).
if PLUGIN_FRONTENDS
noinst_LTLIBRARIES += plugins/frontend-common/libfecommon.la
plugins_frontend_common_libfecommon_la_SOURCES = \
	plugins/frontend-common/fehttp.c plugins/frontend-common/fehttp.h \
	plugins/frontend-common/feserve.c plugins/frontend-common/feserve.h \
	plugins/frontend-common/feserver.c plugins/frontend-common/feserver.h \
	plugins/frontend-common/festatic.c plugins/frontend-common/festatic.h
plugins_frontend_common_libfecommon_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS) $(LWS_CFLAGS)

# What a frontend plugin links: the shared parts, then the generic helpers.
EXO_FE_PLUGIN_LIBS = plugins/frontend-common/libfecommon.la core/base/libexobase.la \
	$(LWS_LIBS) $(JANSSON_LIBS)

# Static path resolution, content types, validators, statuses, credentials: no server.
check_PROGRAMS += tests/unit/test_fecommon
tests_unit_test_fecommon_SOURCES = tests/unit/test_fecommon.c \
	plugins/frontend-common/festatic.c plugins/frontend-common/festatic.h \
	plugins/frontend-common/fehttp.c plugins/frontend-common/fehttp.h \
	tests/support/cunit_main.h
tests_unit_test_fecommon_CFLAGS = $(EXO_TEST_CCFLAGS)
tests_unit_test_fecommon_LDADD = core/base/libexobase.la $(CUNIT_LIBS) $(JANSSON_LIBS)
TESTS += tests/unit/test_fecommon
endif
