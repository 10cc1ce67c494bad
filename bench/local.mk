# bench/: the bus benchmark (issue 3 part 5). The peers are built by `make` but never run by
# `make check`: speed and memory are measured by bench/run-bus-bench.sh, not by timed tests.
noinst_PROGRAMS += bench/bench-zmq
bench_bench_zmq_SOURCES = bench/bench-zmq.c bench/bench.c bench/bench.h
bench_bench_zmq_CFLAGS = $(AM_CFLAGS) $(ZMQ_CFLAGS)
bench_bench_zmq_LDADD = $(ZMQ_LIBS)

# The exo peer uses the real SDK, as a service would.
noinst_PROGRAMS += bench/bench-exo
bench_bench_exo_SOURCES = bench/bench-exo.c bench/bench.c bench/bench.h
bench_bench_exo_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/transport-zmq/include
bench_bench_exo_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
bench_bench_exo_LDADD = plugins/transport-zmq/libexoservice.la $(JANSSON_LIBS)

if PLUGIN_NATS_BENCH
noinst_PROGRAMS += bench/bench-nats
bench_bench_nats_SOURCES = bench/bench-nats.c bench/bench.c bench/bench.h
bench_bench_nats_CFLAGS = $(AM_CFLAGS) $(NATS_CFLAGS)
bench_bench_nats_LDADD = $(NATS_LIBS)
endif

EXTRA_DIST += bench/run-bus-bench.sh bench/run-auth-bench.sh bench/README.md bench/lib.sh \
	bench/run-dash-bench.sh bench/dash-bench.mjs

# The WebSocket benchmark (bench/run-ws-bench.sh): our own client for every server, and a
# plain libwebsockets echo server as the ceiling.
noinst_PROGRAMS += bench/bench-ws
bench_bench_ws_SOURCES = bench/bench-ws.c bench/bench.c bench/bench.h
if PLUGIN_FRONTENDS
noinst_PROGRAMS += bench/bench-ws-echo
bench_bench_ws_echo_SOURCES = bench/bench-ws-echo.c bench/bench.c bench/bench.h
bench_bench_ws_echo_CFLAGS = $(AM_CFLAGS) $(LWS_CFLAGS)
bench_bench_ws_echo_LDADD = $(LWS_LIBS)
endif
EXTRA_DIST += bench/run-ws-bench.sh
