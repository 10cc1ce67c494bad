/*
 * busenv.h - what a service needs to join the zmq bus, as the transport's emit_env gives it
 * (exo/transport.h): EXO_BUS_ENDPOINT as the unit reaches the broker, PYTHONPATH with the
 * Python client (exo_service.py) first, and for setup commands EXO_CFLAGS/EXO_LIBS to build
 * against libexoservice. The installed paths come from the build (local.mk); EXO_PYTHON_DIR,
 * EXO_CFLAGS and EXO_LIBS in exo's own environment override them (an uninstalled build tree).
 *
 * Threading: loop thread only (it adds to the core's env through the host).
 */
#ifndef EXO_ZMQ_BUSENV_H
#define EXO_ZMQ_BUSENV_H

#include <exo/transport.h>

int exo_zbusenv_emit(const exo_host_t *host, void *inst, const json_t *config, const char *role,
                     const char *unit_host, unsigned flags, exo_env_t *env, exo_error_t *err);

#endif /* EXO_ZMQ_BUSENV_H */
