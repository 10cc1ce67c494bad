# plugins/transport-zmq: the `zmq` transport plugin (broker, the CLI's client, the services'
# environment, the frontends' long-lived client), the C service SDK libexoservice, the Python
# client and their tests. wire.c (the frame codec) and zframe.c (frames on zmq sockets) are
# compiled into both the plugin and the SDK; both link libexobase hidden, so neither exports
# more than its own API.
ZMQ_WIRE = plugins/transport-zmq/wire.c plugins/transport-zmq/wire.h
ZMQ_FRAME = $(ZMQ_WIRE) plugins/transport-zmq/zframe.c plugins/transport-zmq/zframe.h \
	plugins/transport-zmq/batch.c plugins/transport-zmq/batch.h

plugin_LTLIBRARIES += plugins/transport_zmq.la
plugins_transport_zmq_la_SOURCES = $(ZMQ_FRAME) \
	plugins/transport-zmq/plugin.c plugins/transport-zmq/broker.h \
	plugins/transport-zmq/broker.c plugins/transport-zmq/cli_client.h \
	plugins/transport-zmq/cli_client.c plugins/transport-zmq/busenv.h \
	plugins/transport-zmq/busenv.c plugins/transport-zmq/sdkenv.h plugins/transport-zmq/sdkenv.c \
	plugins/transport-zmq/router.h plugins/transport-zmq/router.c \
	plugins/transport-zmq/outq.h plugins/transport-zmq/outq.c \
	plugins/transport-zmq/admit.h plugins/transport-zmq/admit.c \
	plugins/transport-zmq/auth.h plugins/transport-zmq/auth.c \
	plugins/transport-zmq/longclient.h plugins/transport-zmq/longclient.c \
	plugins/transport-zmq/sdk/service.c plugins/transport-zmq/sdk/service_int.h
# Where emit_env points services: the installed SDK and Python client. The long-lived client
# (longclient.c) is libexoservice compiled in (hidden: the plugin exports only its descriptor).
plugins_transport_zmq_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/plugins/transport-zmq/include \
	-DEXO_SDK_INCLUDEDIR='"$(includedir)"' -DEXO_SDK_LIBDIR='"$(libdir)"' \
	-DEXO_SDK_PYTHONDIR='"$(exopythondir)"'
plugins_transport_zmq_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS) $(ZMQ_CFLAGS)
plugins_transport_zmq_la_LDFLAGS = $(EXO_PLUGIN_LINK)
plugins_transport_zmq_la_LIBADD = core/base/libexobase.la $(ZMQ_LIBS) $(JANSSON_LIBS)

# ---- tests ----
# busd: drives the plugin without an app (integration tests, benchmarks).
noinst_PROGRAMS += plugins/transport-zmq/tests/busd
plugins_transport_zmq_tests_busd_SOURCES = plugins/transport-zmq/tests/busd.c \
	tests/support/test_host.c tests/support/test_host.h
plugins_transport_zmq_tests_busd_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
plugins_transport_zmq_tests_busd_LDADD = core/libexocore.la $(JANSSON_LIBS) -ldl

# ---- libexoservice: the C service SDK ----
lib_LTLIBRARIES += plugins/transport-zmq/libexoservice.la
exoinclude_HEADERS += plugins/transport-zmq/include/exo/service.h
plugins_transport_zmq_libexoservice_la_SOURCES = $(ZMQ_FRAME) plugins/transport-zmq/sdk/service.c \
	plugins/transport-zmq/sdk/service_int.h
plugins_transport_zmq_libexoservice_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/plugins/transport-zmq/include
plugins_transport_zmq_libexoservice_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden \
	$(ZMQ_CFLAGS) $(JANSSON_CFLAGS)
plugins_transport_zmq_libexoservice_la_LIBADD = core/base/libexobase.la $(ZMQ_LIBS) \
	$(JANSSON_LIBS)
# libtool current:revision:age; 1:0:1 added exo_svc_flush (protocol 5 batches)
plugins_transport_zmq_libexoservice_la_LDFLAGS = -version-info 1:0:1 -no-undefined

# ---- Python client ----
exopythondir = $(pkgdatadir)/python
dist_exopython_DATA = plugins/transport-zmq/python/exo_service.py

# tsvc: a configurable test service on libexoservice.
check_PROGRAMS += plugins/transport-zmq/tests/tsvc
plugins_transport_zmq_tests_tsvc_SOURCES = plugins/transport-zmq/tests/tsvc.c
plugins_transport_zmq_tests_tsvc_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/plugins/transport-zmq/include
plugins_transport_zmq_tests_tsvc_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
plugins_transport_zmq_tests_tsvc_LDADD = plugins/transport-zmq/libexoservice.la $(JANSSON_LIBS)

# Integration tests: real broker (busd), real C and Python service processes.
TESTS += tests/bus/fanout.sh tests/bus/translate.sh tests/bus/malformed.sh tests/bus/restart.sh \
	tests/bus/congestion.sh tests/bus/long-stream.sh
TESTS += tests/bus/stall.sh tests/bus/tail-stop.sh tests/bus/batch.sh tests/bus/limits.sh
EXTRA_DIST += tests/bus/stall.sh tests/bus/tail-stop.sh tests/bus/batch.sh tests/bus/limits.sh
EXTRA_DIST += tests/bus/bus-lib.sh tests/bus/fanout.sh tests/bus/translate.sh \
	tests/bus/malformed.sh tests/bus/restart.sh tests/bus/congestion.sh tests/bus/long-stream.sh \
	tests/support/lib.sh \
	plugins/transport-zmq/tests/tsvc.py

# CUnit suites: envelope codec, routing table, SDK, the services' environment (emit_env).
check_PROGRAMS += plugins/transport-zmq/tests/test_wire plugins/transport-zmq/tests/test_router \
	plugins/transport-zmq/tests/test_sdk plugins/transport-zmq/tests/test_busenv
TESTS += plugins/transport-zmq/tests/test_wire plugins/transport-zmq/tests/test_router \
	plugins/transport-zmq/tests/test_sdk plugins/transport-zmq/tests/test_busenv
plugins_transport_zmq_tests_test_wire_SOURCES = plugins/transport-zmq/tests/test_wire.c $(ZMQ_WIRE)
plugins_transport_zmq_tests_test_wire_CFLAGS = $(EXO_TEST_CCFLAGS)
plugins_transport_zmq_tests_test_wire_LDADD = $(CUNIT_LIBS)
plugins_transport_zmq_tests_test_router_SOURCES = plugins/transport-zmq/tests/test_router.c \
	plugins/transport-zmq/router.c plugins/transport-zmq/router.h \
	plugins/transport-zmq/outq.c plugins/transport-zmq/outq.h $(ZMQ_WIRE) \
	plugins/transport-zmq/batch.c plugins/transport-zmq/batch.h
plugins_transport_zmq_tests_test_router_CFLAGS = $(EXO_TEST_CCFLAGS) $(ZMQ_CFLAGS)
plugins_transport_zmq_tests_test_router_LDADD = core/base/libexobase.la $(CUNIT_LIBS) \
	$(JANSSON_LIBS) $(ZMQ_LIBS)
plugins_transport_zmq_tests_test_sdk_SOURCES = plugins/transport-zmq/tests/test_sdk.c \
	tests/support/test_host.c tests/support/test_host.h
plugins_transport_zmq_tests_test_sdk_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/plugins/transport-zmq/include
plugins_transport_zmq_tests_test_sdk_CFLAGS = $(EXO_TEST_CCFLAGS)
plugins_transport_zmq_tests_test_sdk_LDADD = plugins/transport-zmq/libexoservice.la \
	$(EXO_TEST_LINK) $(JANSSON_LIBS) -ldl -lpthread

plugins_transport_zmq_tests_test_busenv_SOURCES = plugins/transport-zmq/tests/test_busenv.c \
	tests/support/test_host.c tests/support/test_host.h
plugins_transport_zmq_tests_test_busenv_CPPFLAGS = $(AM_CPPFLAGS) \
	-DEXO_TEST_INCLUDEDIR='"$(includedir)"' -DEXO_TEST_LIBDIR='"$(libdir)"' \
	-DEXO_TEST_PYTHONDIR='"$(exopythondir)"'
plugins_transport_zmq_tests_test_busenv_CFLAGS = $(EXO_TEST_CCFLAGS)
plugins_transport_zmq_tests_test_busenv_LDADD = $(EXO_TEST_LINK) $(JANSSON_LIBS) -ldl

# libFuzzer target for the envelope decoder (built with clang by the script itself).
TESTS += tests/bus/fuzz.sh
EXTRA_DIST += tests/bus/fuzz.sh plugins/transport-zmq/tests/fuzz_wire.c \
	plugins/transport-zmq/tests/fuzz_batch.c plugins/transport-zmq/tests/fuzz-corpus-batch \
	plugins/transport-zmq/tests/fuzz-corpus
