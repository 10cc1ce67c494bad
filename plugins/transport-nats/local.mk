# plugins/transport-nats: the `nats` transport plugin (docs/bus-nats.md): nats-server's
# configuration generated from the routing table, a local nats-server, the services'
# environment and `exo send`. Optional: built when libnats is found (configure --with-nats).
if PLUGIN_NATS
NATS_COMMON = plugins/transport-nats/subject.c plugins/transport-nats/subject.h \
	plugins/transport-nats/natsconf.c plugins/transport-nats/natsconf.h

plugin_LTLIBRARIES += plugins/transport_nats.la
plugins_transport_nats_la_SOURCES = $(NATS_COMMON) \
	plugins/transport-nats/plugin.c plugins/transport-nats/broker.h \
	plugins/transport-nats/broker.c plugins/transport-nats/server.h \
	plugins/transport-nats/server.c plugins/transport-nats/nmsg.h plugins/transport-nats/nmsg.c \
	plugins/transport-nats/cli_client.h plugins/transport-nats/cli_client.c \
	plugins/transport-nats/observer.h plugins/transport-nats/observer.c \
	plugins/transport-zmq/sdkenv.h plugins/transport-zmq/sdkenv.c
# Where emit_env points services: the installed SDK and Python client (the zmq transport's
# sdkenv.c, shared).
plugins_transport_nats_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/transport-zmq \
	-DEXO_SDK_INCLUDEDIR='"$(includedir)"' -DEXO_SDK_LIBDIR='"$(libdir)"' \
	-DEXO_SDK_PYTHONDIR='"$(exopythondir)"'
plugins_transport_nats_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS) $(LIBNATS_CFLAGS)
# -z nodelete: libnats keeps process-wide state (a mutex made once, never freed) and threads;
# a dlclose of the plugin would unload libnats under them (a crash, or the mutex reported
# as leaked once nothing points to it).
plugins_transport_nats_la_LDFLAGS = $(EXO_PLUGIN_LINK) -Wl,-z,nodelete
plugins_transport_nats_la_LIBADD = core/base/libexobase.la $(LIBNATS_LIBS) $(JANSSON_LIBS)

# libexoservice speaks NATS too (a nats:// endpoint) through libexoservice-nats, which it opens
# (dlopen, from its own directory: hence built beside it) only then: a service on zmq needs no
# libnats (container images install only libzmq5 and libjansson4).
plugins_transport_zmq_libexoservice_la_CPPFLAGS += -DEXO_SVC_NATS \
	-I$(top_srcdir)/plugins/transport-nats/sdk
plugins_transport_zmq_libexoservice_la_LIBADD += -ldl -lpthread
lib_LTLIBRARIES += plugins/transport-zmq/libexoservice-nats.la
plugins_transport_zmq_libexoservice_nats_la_SOURCES = plugins/transport-nats/sdk/natslink.c \
	plugins/transport-nats/sdk/natslink.h plugins/transport-nats/subject.c \
	plugins/transport-nats/subject.h plugins/transport-nats/nmsg.c plugins/transport-nats/nmsg.h
plugins_transport_zmq_libexoservice_nats_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/plugins/transport-zmq/include
plugins_transport_zmq_libexoservice_nats_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden \
	$(LIBNATS_CFLAGS) $(JANSSON_CFLAGS)
plugins_transport_zmq_libexoservice_nats_la_LIBADD = plugins/transport-zmq/libexoservice.la \
	core/base/libexobase.la $(LIBNATS_LIBS) $(JANSSON_LIBS) -lpthread
plugins_transport_zmq_libexoservice_nats_la_LDFLAGS = -version-info 0:0:0 -no-undefined

# ---- tests ----
check_PROGRAMS += plugins/transport-nats/tests/test_natsconf
TESTS += plugins/transport-nats/tests/test_natsconf
plugins_transport_nats_tests_test_natsconf_SOURCES = plugins/transport-nats/tests/test_natsconf.c \
	$(NATS_COMMON) plugins/transport-nats/nmsg.c plugins/transport-nats/nmsg.h
plugins_transport_nats_tests_test_natsconf_CFLAGS = $(EXO_TEST_CCFLAGS) $(LIBNATS_CFLAGS)
plugins_transport_nats_tests_test_natsconf_LDADD = core/base/libexobase.la $(CUNIT_LIBS) \
	$(JANSSON_LIBS) $(LIBNATS_LIBS)
endif

TESTS += tests/bus/nats-perms.sh tests/bus/nats-cluster.sh
EXTRA_DIST += tests/bus/nats-perms.sh tests/bus/nats-cluster.sh tests/support/natsraw.py
# The bus scenarios of tests/bus/ again on NATS: each wrapper runs the scenario with
# EXO_BUS_TRANSPORT=nats (bus-lib.sh); the zmq runs stay in plugins/transport-zmq/local.mk.
NATS_BUS_SCENARIOS = tests/bus/nats/fanout.sh tests/bus/nats/translate.sh tests/bus/nats/limits.sh \
	tests/run/nats/example.sh tests/run/nats/transport-switch.sh
TESTS += $(NATS_BUS_SCENARIOS)
EXTRA_DIST += $(NATS_BUS_SCENARIOS)
