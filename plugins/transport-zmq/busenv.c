/* busenv.c - a service's bus variables; see busenv.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "broker.h"
#include "busenv.h"

#ifndef EXO_ZMQ_PYTHONDIR
#error "EXO_ZMQ_PYTHONDIR, EXO_ZMQ_INCLUDEDIR and EXO_ZMQ_LIBDIR come from local.mk"
#endif

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : fallback;
}

/*
 * The endpoint as a unit reaches it. A running broker's endpoint (with its real port) names the
 * loopback host for processes on exo's machine; a unit elsewhere (a container) reaches that
 * machine as @p unit_host. Without a broker (`exo env`), the configured endpoint as written.
 */
static char *unit_endpoint(const exo_host_t *host, void *inst, const json_t *config,
                           const char *unit_host)
{
    if (inst == NULL) {
        const char *listen = exo_zbroker_config_listen(host, config);
        return exo_xstrdup(listen ? listen : EXO_BUS_DEFAULT_LISTEN);
    }
    return exo_endpoint_for_host(exo_zbroker_endpoint(inst), unit_host);
}

/* The Python client's directory before whatever PYTHONPATH exo itself was given (the
 * environment a unit inherits). */
static char *python_path(void)
{
    const char *dir = env_or("EXO_PYTHON_DIR", EXO_ZMQ_PYTHONDIR);
    const char *inherited = getenv("PYTHONPATH");
    if (inherited != NULL && inherited[0] != '\0') {
        return exo_strdupf("%s:%s", dir, inherited);
    }
    return exo_xstrdup(dir);
}

/* The unit's credential: its role's secret, masked like every secret (docs/security.md).
 * Only with a running broker and a role: `exo env` and build-only setups get none. */
static int emit_token(const exo_host_t *host, void *inst, const char *role, exo_env_t *env,
                      exo_error_t *err)
{
    if (inst == NULL || role == NULL) {
        return 0;
    }
    const char *secret = exo_zbroker_role_secret(inst, role);
    if (secret == NULL) {
        return exo_error_set(err, EXO_ERR_IO, "getrandom() failed: no bus secret for role %s",
                             role);
    }
    if (host->env_set(env, "EXO_BUS_TOKEN", secret, EXO_ENV_SECRET) != 0) {
        return exo_error_set(err, EXO_ERR_INVALID, "cannot set EXO_BUS_TOKEN");
    }
    return 0;
}

int exo_zbusenv_emit(const exo_host_t *host, void *inst, const json_t *config, const char *role,
                     const char *unit_host, unsigned flags, exo_env_t *env, exo_error_t *err)
{
    char *endpoint = unit_endpoint(host, inst, config, unit_host);
    char *pythonpath = python_path();
    struct {
        const char *name, *value;
    } vars[] = {
        {"EXO_BUS_ENDPOINT", endpoint},
        {"PYTHONPATH", pythonpath},
        {"EXO_CFLAGS", env_or("EXO_CFLAGS", "-I" EXO_ZMQ_INCLUDEDIR)},
        {"EXO_LIBS", env_or("EXO_LIBS", "-L" EXO_ZMQ_LIBDIR " -Wl,-rpath," EXO_ZMQ_LIBDIR
                                        " -lexoservice")},
    };
    size_t n = flags & EXO_BUS_ENV_BUILD ? 4 : 2;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (host->env_set(env, vars[i].name, vars[i].value, 0) != 0) {
            rc = exo_error_set(err, EXO_ERR_INVALID, "cannot set %s", vars[i].name);
        }
    }
    free(endpoint);
    free(pythonpath);
    return rc == 0 ? emit_token(host, inst, role, env, err) : rc;
}
