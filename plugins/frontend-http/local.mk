# plugins/frontend-http: the http frontend plugin (POST /api/<message>, static files), on
# plugins/frontend-common. Needs libwebsockets (configure --with-frontends).
if PLUGIN_FRONTENDS
plugin_LTLIBRARIES += plugins/frontend_http.la
plugins_frontend_http_la_SOURCES = plugins/frontend-http/http.c \
	plugins/frontend-http/httpreq.c plugins/frontend-http/httpreq.h
plugins_frontend_http_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS) $(LWS_CFLAGS)
plugins_frontend_http_la_LDFLAGS = $(EXO_PLUGIN_LINK)
plugins_frontend_http_la_LIBADD = $(EXO_FE_PLUGIN_LIBS)

# Requests in flight: ids, bodies bounded, message names.
check_PROGRAMS += tests/unit/test_httpreq
tests_unit_test_httpreq_SOURCES = tests/unit/test_httpreq.c \
	plugins/frontend-http/httpreq.c plugins/frontend-http/httpreq.h tests/support/cunit_main.h
tests_unit_test_httpreq_CFLAGS = $(EXO_TEST_CCFLAGS)
tests_unit_test_httpreq_LDADD = core/base/libexobase.la $(CUNIT_LIBS) $(JANSSON_LIBS)
TESTS += tests/unit/test_httpreq

# curl against a real exo run (tests/frontend/http.sh).
TESTS += tests/frontend/http.sh
endif
EXTRA_DIST += tests/frontend/http.sh
