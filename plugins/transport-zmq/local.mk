# plugins/transport-zmq: the `zmq` transport plugin (broker + CLI client), the C service SDK
# libexoservice, the Python client and their tests. wire.c (the envelope codec) is compiled
# into both the plugin and the SDK.
ZMQ_WIRE = plugins/transport-zmq/wire.c plugins/transport-zmq/wire.h

plugin_LTLIBRARIES += plugins/transport_zmq.la
plugins_transport_zmq_la_SOURCES = $(ZMQ_WIRE) \
	plugins/transport-zmq/plugin.c plugins/transport-zmq/broker.h \
	plugins/transport-zmq/broker.c plugins/transport-zmq/client.c \
	plugins/transport-zmq/router.h plugins/transport-zmq/router.c
plugins_transport_zmq_la_CFLAGS = $(EXO_PLUGIN_CCFLAGS) $(ZMQ_CFLAGS)
plugins_transport_zmq_la_LDFLAGS = $(EXO_PLUGIN_LINK)
plugins_transport_zmq_la_LIBADD = $(ZMQ_LIBS) $(JANSSON_LIBS)
