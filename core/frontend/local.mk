# core/frontend/: a frontend's connection table, the core's side of the frontend ABI
# (exo/frontend.h) over the bus client of core/bus/busclient.h (docs/frontends.md).
core_libexocore_la_SOURCES += core/frontend/feconn.h core/frontend/feconn_int.h \
	core/frontend/feconn.c core/frontend/feact.c core/frontend/feroute.c
