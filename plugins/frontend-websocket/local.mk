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
