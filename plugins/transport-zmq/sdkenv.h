/*
 * sdkenv.h - the variables that let a unit use exo's SDKs, for every transport whose services
 * use libexoservice and exo_service.py (zmq, nats): EXO_BUS_ENDPOINT as given, PYTHONPATH with
 * the Python client first, and for setup commands (EXO_BUS_ENV_BUILD) EXO_CFLAGS/EXO_LIBS to
 * build against libexoservice. The installed paths come from the build (EXO_SDK_INCLUDEDIR,
 * EXO_SDK_LIBDIR, EXO_SDK_PYTHONDIR from local.mk); EXO_PYTHON_DIR, EXO_CFLAGS and EXO_LIBS in
 * exo's own environment override them (an uninstalled build tree).
 *
 * Threading: loop thread only (it adds to the core's env through the host).
 */
#ifndef EXO_ZMQ_SDKENV_H
#define EXO_ZMQ_SDKENV_H

#include <exo/transport.h>

int exo_sdkenv_emit(const exo_host_t *host, const char *endpoint, unsigned flags, exo_env_t *env,
                    exo_error_t *err);

#endif /* EXO_ZMQ_SDKENV_H */
