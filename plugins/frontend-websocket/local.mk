# plugins/frontend-websocket: the `websocket` frontend plugin (exo.v1 over WebSocket, exo.js),
# on plugins/frontend-common (libwebsockets). Its pure parts (frames, queue, connection
# table) are a convenience library tested alone.
noinst_LTLIBRARIES += plugins/frontend-websocket/libwsproto.la
plugins_frontend_websocket_libwsproto_la_SOURCES = \
	plugins/frontend-websocket/wsproto.h plugins/frontend-websocket/wsproto.c \
	plugins/frontend-websocket/wsqueue.h plugins/frontend-websocket/wsqueue.c \
	plugins/frontend-websocket/wsconns.h plugins/frontend-websocket/wsconns.c
plugins_frontend_websocket_libwsproto_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS)

check_PROGRAMS += plugins/frontend-websocket/tests/test_wsproto
TESTS += plugins/frontend-websocket/tests/test_wsproto
plugins_frontend_websocket_tests_test_wsproto_SOURCES = \
	plugins/frontend-websocket/tests/test_wsproto.c
plugins_frontend_websocket_tests_test_wsproto_CFLAGS = $(EXO_TEST_CCFLAGS)
plugins_frontend_websocket_tests_test_wsproto_LDADD = \
	plugins/frontend-websocket/libwsproto.la $(EXO_TEST_LINK) $(JANSSON_LIBS)

if PLUGIN_FRONTENDS
plugin_LTLIBRARIES += plugins/frontend_websocket.la
plugins_frontend_websocket_la_SOURCES = \
	plugins/frontend-websocket/wsfront.h plugins/frontend-websocket/wsplugin.c \
	plugins/frontend-websocket/wshttp.c plugins/frontend-websocket/wsconn.c
nodist_plugins_frontend_websocket_la_SOURCES = plugins/frontend-websocket/exojs.c
plugins_frontend_websocket_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/frontend-common
plugins_frontend_websocket_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS) $(LWS_CFLAGS)
plugins_frontend_websocket_la_LDFLAGS = $(EXO_PLUGIN_LINK)
plugins_frontend_websocket_la_LIBADD = plugins/frontend-websocket/libwsproto.la \
	$(EXO_FE_PLUGIN_LIBS)

# wsserve: a frontend plugin with a stub core (no app, no bus), for tests of its paths and
# the access prefix (tests/websocket/token.sh).
check_PROGRAMS += plugins/frontend-websocket/tests/wsserve
plugins_frontend_websocket_tests_wsserve_SOURCES = plugins/frontend-websocket/tests/wsserve.c \
	tests/support/test_host.c tests/support/test_host.h
plugins_frontend_websocket_tests_wsserve_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
plugins_frontend_websocket_tests_wsserve_LDADD = core/libexocore.la $(JANSSON_LIBS) -ldl
endif

# exo.js is compiled into the plugin (served at /exo.js whatever the install layout) and
# installed beside the other data for apps that vendor it.
wsjsdir = $(pkgdatadir)/frontend-websocket
dist_wsjs_DATA = plugins/frontend-websocket/exo.js
plugins/frontend-websocket/exojs.c: $(top_srcdir)/plugins/frontend-websocket/exo.js
	$(AM_V_GEN)$(MKDIR_P) $(@D) && { echo '/* generated from exo.js by plugins/frontend-websocket/local.mk */'; \
	  echo '#include <stddef.h>'; \
	  echo 'extern const unsigned char ws_exojs[]; extern const size_t ws_exojs_len;'; \
	  echo 'const unsigned char ws_exojs[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '};'; echo 'const size_t ws_exojs_len = sizeof ws_exojs;'; } > $@.tmp && mv $@.tmp $@
CLEANFILES += plugins/frontend-websocket/exojs.c

# End to end under exo run (node clients over our own RFC 6455 client, tests/websocket/).
# tests/hostile/websocket.sh belongs to the hostile-client suite (tests/hostile/local.mk).
WEBSOCKET_TESTS = tests/websocket/protocol.sh tests/websocket/exojs.sh \
	tests/websocket/static-root.sh tests/websocket/auth.sh tests/websocket/idle.sh \
	tests/websocket/token.sh tests/hostile/websocket.sh tests/hostile/websocket-flood.sh
TESTS += $(WEBSOCKET_TESTS)
EXTRA_DIST += $(WEBSOCKET_TESTS) tests/websocket/ws-lib.sh tests/websocket/wsclient.mjs \
	tests/websocket/testkit.mjs tests/websocket/protocol.mjs tests/websocket/hostile.mjs \
	tests/websocket/exojs.mjs tests/websocket/auth.mjs tests/websocket/idle.mjs \
	tests/websocket/flood.mjs
